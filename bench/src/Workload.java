import dev.directmx.sandbox.sqs.EmbeddedSqs;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The throughput benchmark's workload, defined once for every contender: N messages with 4 KB
 * text bodies; message i goes to one recipient in domain {@code i mod 50}, and every tenth to three
 * recipients in three different domains (see {@link #domains}). Domain d is {@code
 * dDD.bench.example}, whose MX is the sink on 127.0.1.{@code (d mod 10) + 1} (the zone is
 * written by bench/throughput.sh).
 *
 * <pre>
 * java -cp target/directmx.jar bench/src/Workload.java plan N
 * java -cp target/directmx.jar bench/src/Workload.java enqueue N RUN SQS_ENDPOINT QUEUE_URL
 * java -cp target/directmx.jar bench/src/Workload.java inject N RUN HOST PORT CONNECTIONS MAILLOG
 * java -cp target/directmx.jar bench/src/Workload.java message-file PATH
 * </pre>
 *
 * {@code plan} prints what the sinks must receive, as shell assignments. {@code enqueue} puts the
 * messages on SQS as directmx JSON with SendMessageBatch from a few threads. {@code inject} sends
 * them to an MTA's SMTP server (pipelined MAIL/RCPT/DATA, one session per connection) and then
 * follows the MTA's log until every recipient has a {@code status=sent} line; it prints the
 * first injection's and the last delivery's wall-clock times. {@code message-file} writes the
 * message smtp-source sends (-F).
 */
public final class Workload {

    static final int DOMAINS = 50;
    static final int SINKS = 10;
    static final int BODY_BYTES = 4096;
    static final String SENDER = "sender@bench.example";
    static final String BODY = body();

    /** Enqueueing threads: SendMessageBatch is one HTTP round trip of 10 messages; a few in flight keep ElasticMQ busy. */
    private static final int ENQUEUE_THREADS = 4;

    /** How long the log may show no new delivery before inject gives up. */
    private static final long STALL_MILLIS = 120_000;

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        switch (args[0]) {
            case "plan" -> plan(Integer.parseInt(args[1]));
            case "enqueue" -> enqueue(Integer.parseInt(args[1]), args[2], args[3], args[4]);
            case "inject" -> inject(Integer.parseInt(args[1]), args[2], args[3], Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Path.of(args[6]));
            case "message-file" -> Files.writeString(Path.of(args[1]), headers(0, "x", List.of("rcpt@d00.bench.example"), "\n")
                    + "\n" + BODY);
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: Workload plan N | enqueue N RUN SQS_ENDPOINT QUEUE_URL"
                + " | inject N RUN HOST PORT CONNECTIONS MAILLOG | message-file PATH");
        System.exit(64);
    }

    static String domain(int d) {
        return String.format("d%02d.bench.example", d);
    }

    static int sinkOf(int domain) {
        return domain % SINKS + 1;
    }

    /**
     * Every tenth message has three recipients in three different domains: 1..24 and 25..48
     * domains ahead of its own, the offset varying with i so that the extra recipients spread
     * over all the sinks.
     */
    static List<Integer> domains(int i) {
        int d = i % DOMAINS;
        int k = (i / 10) % 24;
        return i % 10 == 9 ? List.of(d, (d + 1 + k) % DOMAINS, (d + 25 + k) % DOMAINS) : List.of(d);
    }

    static List<String> recipients(int i) {
        return domains(i).stream().map(d -> "user" + i + "@" + domain(d)).toList();
    }

    /** 4096 octets of printable ASCII in lines of 63 characters plus LF. */
    private static String body() {
        StringBuilder b = new StringBuilder(BODY_BYTES);
        String words = "the quick brown fox jumps over the lazy dog while the mail queue drains ";
        int line = 0;
        while (b.length() < BODY_BYTES) {
            String text = String.format("%03d ", line++) + words.repeat(2);
            int room = BODY_BYTES - b.length() - 1;
            b.append(text, 0, Math.min(63, room)).append('\n');
        }
        return b.toString();
    }

    private static String messageId(int i, String run) {
        return "bench-" + run + "-" + i;
    }

    static String headers(int i, String run, List<String> to, String eol) {
        return "From: Bench <" + SENDER + ">" + eol
                + "To: " + String.join(", ", to) + eol
                + "Subject: Benchmark message " + i + eol
                + "Date: " + ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME) + eol
                + "Message-ID: <" + messageId(i, run) + "@bench.example>" + eol
                + "MIME-Version: 1.0" + eol
                + "Content-Type: text/plain; charset=UTF-8" + eol
                + "Content-Transfer-Encoding: 7bit" + eol;
    }

    private static void plan(int n) {
        long[] perSink = new long[SINKS + 1];
        long recipients = 0;
        for (int i = 0; i < n; i++) {
            for (int d : domains(i)) {
                perSink[sinkOf(d)]++;
                recipients++;
            }
        }
        System.out.println("PLAN_RECIPIENTS=" + recipients);
        for (int s = 1; s <= SINKS; s++) {
            System.out.println("PLAN_SINK_" + s + "=" + perSink[s]);
            System.out.println("PLAN_SINK_DOMAIN_" + s + "=" + domain(s - 1));
        }
    }

    // ------------------------------------------------------------------ enqueue

    private static String json(int i, String run) {
        StringBuilder to = new StringBuilder();
        for (String r : recipients(i)) {
            to.append(to.isEmpty() ? "" : ",").append('"').append(r).append('"');
        }
        // The body is plain ASCII without quotes or backslashes: only its newlines need escaping.
        return "{\"id\":\"" + messageId(i, run) + "\",\"from\":\"Bench <" + SENDER + ">\",\"to\":[" + to
                + "],\"subject\":\"Benchmark message " + i + "\",\"text\":\"" + BODY.replace("\n", "\\n") + "\"}";
    }

    private static void enqueue(int n, String run, String endpoint, String queueUrl) throws Exception {
        long start = System.nanoTime();
        AtomicLong sent = new AtomicLong();
        try (SqsClient sqs = EmbeddedSqs.clientFor(URI.create(endpoint));
             ExecutorService pool = Executors.newFixedThreadPool(ENQUEUE_THREADS)) {
            List<Future<?>> chunks = new ArrayList<>();
            for (int from = 0; from < n; from += 10) {
                int first = from;
                chunks.add(pool.submit(() -> {
                    List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                    for (int i = first; i < Math.min(n, first + 10); i++) {
                        entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(json(i, run)).build());
                    }
                    SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
                    if (!response.failed().isEmpty()) {
                        throw new IllegalStateException("SendMessageBatch failed: " + response.failed());
                    }
                    sent.addAndGet(response.successful().size());
                    return null;
                }));
            }
            for (Future<?> chunk : chunks) {
                chunk.get();
            }
        }
        System.out.printf("enqueue: %d messages in %.1f s%n", sent.get(), (System.nanoTime() - start) / 1e9);
    }

    // ------------------------------------------------------------------- inject

    private static void inject(int n, String run, String host, int port, int connections, Path maillog) throws Exception {
        long expected = 0;
        for (int i = 0; i < n; i++) {
            expected += domains(i).size();
        }
        LogFollower log = new LogFollower(maillog);
        long firstInjection = System.currentTimeMillis();
        List<Future<?>> sessions = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        for (int c = 0; c < connections; c++) {
            int first = c;
            sessions.add(pool.submit(() -> {
                session(host, port, run, n, first, connections);
                return null;
            }));
        }
        pool.shutdown();
        long lastChange = System.currentTimeMillis();
        long injected = 0;
        while (log.sent < expected) {
            Thread.sleep(10);
            long before = log.sent + log.deferred + log.bounced;
            log.poll();
            if (log.sent + log.deferred + log.bounced != before) {
                lastChange = System.currentTimeMillis();
            }
            if (injected == 0 && pool.isTerminated()) {
                for (Future<?> s : sessions) {
                    s.get(); // fails the run if a session failed
                }
                injected = System.currentTimeMillis();
            }
            if (log.bounced > 0 || System.currentTimeMillis() - lastChange > STALL_MILLIS) {
                break;
            }
        }
        System.out.println("INJECT_START_MS=" + firstInjection);
        System.out.println("INJECT_END_MS=" + (injected == 0 ? System.currentTimeMillis() : injected));
        System.out.println("LAST_SENT_MS=" + log.lastSentAt);
        System.out.println("LOG_SENT=" + log.sent);
        System.out.println("LOG_DEFERRED=" + log.deferred);
        System.out.println("LOG_BOUNCED=" + log.bounced);
        System.out.println("EXPECTED_SENT=" + expected);
    }

    /** One SMTP session sending messages first, first + step, ... with MAIL/RCPT/DATA pipelined. */
    private static void session(String host, int port, String run, int n, int first, int step) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(120_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16384);
            expect(in, 220, "greeting");
            send(out, "EHLO bench.example\r\n");
            expect(in, 250, "EHLO");
            for (int i = first; i < n; i += step) {
                List<String> to = recipients(i);
                StringBuilder envelope = new StringBuilder("MAIL FROM:<" + SENDER + ">\r\n");
                to.forEach(r -> envelope.append("RCPT TO:<").append(r).append(">\r\n"));
                envelope.append("DATA\r\n");
                send(out, envelope.toString());
                expect(in, 250, "MAIL");
                for (String r : to) {
                    expect(in, 250, "RCPT " + r);
                }
                expect(in, 354, "DATA");
                send(out, headers(i, run, to, "\r\n") + "\r\n" + BODY.replace("\n", "\r\n") + ".\r\n");
                expect(in, 250, "end of data");
            }
            send(out, "QUIT\r\n");
            expect(in, 221, "QUIT");
        }
    }

    private static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void expect(InputStream in, int code, String what) throws IOException {
        String line;
        do {
            line = readLine(in);
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(Integer.toString(code))) {
            throw new IOException(what + ": expected " + code + ", got " + line);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed after " + b);
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    /** Counts delivery lines appended to Postfix's maillog_file since construction. */
    private static final class LogFollower {
        private final RandomAccessFile file;
        private final StringBuilder partial = new StringBuilder();
        private final byte[] buffer = new byte[1 << 16];
        long sent;
        long deferred;
        long bounced;
        long lastSentAt;

        LogFollower(Path path) throws IOException {
            file = new RandomAccessFile(path.toFile(), "r");
            file.seek(file.length());
        }

        void poll() throws IOException {
            for (int read; (read = file.read(buffer)) > 0; ) {
                partial.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
            }
            int start = 0;
            for (int nl; (nl = partial.indexOf("\n", start)) >= 0; start = nl + 1) {
                String line = partial.substring(start, nl);
                if (line.contains(" status=sent ")) {
                    sent++;
                    lastSentAt = System.currentTimeMillis();
                } else if (line.contains(" status=deferred ")) {
                    deferred++;
                } else if (line.contains(" status=bounced ")) {
                    bounced++;
                }
            }
            partial.delete(0, start);
        }
    }
}
