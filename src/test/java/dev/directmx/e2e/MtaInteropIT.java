package dev.directmx.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.directmx.message.MessageComposer;
import dev.directmx.message.MessageLimits;
import dev.directmx.message.MessageRequest;
import dev.directmx.message.OutboundMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Interoperability with two more real MTAs: the shaded jar, run as a user would, resolves
 * through NSD and delivers over STARTTLS to OpenSMTPD and to Exim, and each stores the
 * message exactly as directmx composed it, with only its own trace headers on top.
 *
 * <p>The MTAs come from {@code scripts/peers/mtas.sh start}, which writes
 * {@code target/peers/mtas.env}; NSD comes from {@code scripts/peers/start.sh}
 * ({@code peers.env}). Both files' variables must be in this JVM's environment. Without
 * them the tests fail rather than skip: CI always starts the peers.
 *
 * <p>directmx does not print the bytes it sent, but composing is deterministic: the
 * Message-ID and MIME boundaries derive from the request, and the only other input is the
 * clock. So the test composes the same request again with the clock fixed at the Date the
 * MTA stored, and compares that byte for byte with the stored message minus the MTA's
 * trace headers (Maildir files have LF line ends; they are compared as CRLF).
 */
class MtaInteropIT {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration MAILBOX_WAIT = Duration.ofSeconds(30);

    private static final String FROM = "sender@example.com";
    private static final String SUBJECT = "This is a sendable email";
    private static final String SEED_TEXT = "Hi there,\nDid it hit the Spam folder?";
    private static final String UTF8_TEXT = "Grüße aus Köln";

    /** The header fields directmx writes for a plain text message, in its order. */
    private static final List<String> DIRECTMX_HEADERS = List.of(
            "Date", "From", "To", "Message-ID", "Subject", "MIME-Version", "Content-Type", "Content-Transfer-Encoding");

    private static final DateTimeFormatter RFC_5322_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The receiving MTAs of scripts/peers/mtas.sh and the trace header fields each puts on top. */
    enum Mta {
        /** Return-Path, X-Original-To and Delivered-To (its virtual delivery) and Received. */
        POSTFIX("Postfix", "example.net", "DIRECTMX_IT_POSTFIX",
                Set.of("return-path", "x-original-to", "delivered-to", "received")),
        /** Return-Path, Delivered-To (its Maildir delivery) and Received. */
        OPENSMTPD("OpenSMTPD", "opensmtpd.example", "DIRECTMX_IT_OPENSMTPD",
                Set.of("return-path", "delivered-to", "received")),
        /** Return-path, Envelope-to, Delivery-date (the appendfile options of Exim's default local delivery) and Received. */
        EXIM("Exim", "exim.example", "DIRECTMX_IT_EXIM",
                Set.of("return-path", "envelope-to", "delivery-date", "received"));

        final String product;
        final String domain;
        final String envPrefix;
        final Set<String> traceHeaders;

        Mta(String product, String domain, String envPrefix, Set<String> traceHeaders) {
            this.product = product;
            this.domain = domain;
            this.envPrefix = envPrefix;
            this.traceHeaders = traceHeaders;
        }

        String recipient() {
            return "recipient@" + domain;
        }

        /** The Maildir {@code new/} folder where recipient@DOMAIN's mail lands. */
        Path mailbox() {
            return this == POSTFIX ? Path.of(requiredEnv("DIRECTMX_IT_POSTFIX_MAILBOX"))
                    : Path.of(requiredEnv(envPrefix + "_MAIL"), "recipient", "new");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Mta.class)
    void seedMessageArrivesAsComposedOverStartTls(Mta mta, @TempDir Path tmp) throws Exception {
        Delivery delivery = deliver(mta, SEED_TEXT, tmp);

        assertEquals("7bit", delivery.mail().header("Content-Transfer-Encoding"),
                () -> "an ASCII body goes as 7bit\n" + delivery.mail().raw());
        assertEquals("Hi there,\r\nDid it hit the Spam folder?\r\n", delivery.mail().body(),
                () -> "body as stored by " + mta.product + "\n" + delivery.mail().raw());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Mta.class)
    void utf8BodyArrivesIntactOver8BitMime(Mta mta, @TempDir Path tmp) throws Exception {
        Delivery delivery = deliver(mta, UTF8_TEXT, tmp);

        List<String> mailFrom = transcriptLines(delivery.run().json()).stream()
                .filter(line -> line.startsWith("C: MAIL FROM:")).toList();
        assertFalse(mailFrom.isEmpty(), () -> "no MAIL FROM in the transcript\n" + delivery.run());
        assertTrue(mailFrom.stream().allMatch(line -> line.contains(" BODY=8BITMIME")),
                () -> mta.product + " offers 8BITMIME, so MAIL FROM should carry BODY=8BITMIME: " + mailFrom
                        + "\n" + delivery.run());
        assertEquals("8bit", delivery.mail().header("Content-Transfer-Encoding"),
                () -> "a UTF-8 body goes as 8bit, not re-encoded\n" + delivery.mail().raw());
        assertEquals("Grüße aus Köln\r\n", delivery.mail().body(),
                () -> "body as stored by " + mta.product + "\n" + delivery.mail().raw());
    }

    // ------------------------------------------------------------------ the scenario

    private record Delivery(Run run, Stored mail) {
    }

    /**
     * Sends TEXT to recipient@DOMAIN with the jar and checks everything the two scenarios
     * share: the outcome, the route, STARTTLS, and the stored message against the one
     * directmx composed.
     */
    private static Delivery deliver(Mta mta, String text, Path tmp) throws Exception {
        String dns = requiredEnv("DIRECTMX_IT_DNS");
        String host = requiredEnv(mta.envPrefix + "_HOST");
        Path mailbox = mta.mailbox();
        Set<String> before = listFiles(mailbox);

        Instant sentAfter = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Run run = send(tmp, dns, mta.recipient(), text);
        Instant sentBefore = Instant.now();

        assertEquals(0, run.exitCode(), () -> "directmx send should exit 0\n" + run);
        JsonNode result = run.json();
        assertEquals("delivered", result.path("status").asText(null), () -> "status\n" + run);
        JsonNode recipient = result.path("recipients").path(0);
        assertEquals(mta.recipient(), recipient.path("address").asText(null), () -> "recipients[0].address\n" + run);
        assertEquals("delivered", recipient.path("status").asText(null), () -> "recipients[0].status\n" + run);
        JsonNode route = recipient.path("route");
        assertEquals(host, route.path("address").asText(null), () -> "recipients[0].route.address\n" + run);
        assertEquals(25, route.path("port").asInt(-1), () -> "recipients[0].route.port\n" + run);
        String protocol = route.path("tls").path("protocol").asText("");
        assertTrue(protocol.startsWith("TLS"),
                () -> "recipients[0].route.tls.protocol should be TLSv1.x, was '" + protocol + "'\n" + run);
        assertTrue(transcriptLines(result).contains("C: STARTTLS"),
                () -> "some session transcript should hold the line 'C: STARTTLS'\n" + run);
        String messageId = result.path("messageId").asText(null);
        assertNotNull(messageId, () -> "top-level messageId missing\n" + run);

        Stored mail = awaitDelivery(mta, mailbox, before, messageId);

        // 1. Only the MTA's own trace fields sit above directmx's first header.
        assertEquals(mta.traceHeaders, mail.traceNames(),
                () -> mta.product + " should put exactly these trace header fields on top\n" + mail.raw());

        // 2. directmx's header fields, unchanged, in its order, nothing inserted between them.
        assertEquals(DIRECTMX_HEADERS, mail.headerNames(),
                () -> "the header fields below the trace headers\n" + mail.raw());
        assertEquals(FROM, mail.header("From"), () -> "From\n" + mail.raw());
        assertEquals(mta.recipient(), mail.header("To"), () -> "To\n" + mail.raw());
        assertEquals(SUBJECT, mail.header("Subject"), () -> "Subject\n" + mail.raw());
        assertEquals(messageId, mail.header("Message-ID"), () -> "Message-ID\n" + mail.raw());
        assertEquals("1.0", mail.header("MIME-Version"), () -> "MIME-Version\n" + mail.raw());
        assertEquals("text/plain; charset=UTF-8", mail.header("Content-Type"), () -> "Content-Type\n" + mail.raw());

        // 3. Byte for byte: the same request composed again at the stored Date.
        Instant date = parseDate(mail.header("Date"), mail);
        assertFalse(date.isBefore(sentAfter) || date.isAfter(sentBefore),
                () -> "Date " + mail.header("Date") + " should be the time of sending (" + sentAfter + " .. "
                        + sentBefore + "), not one the MTA wrote\n" + mail.raw());
        OutboundMessage composed = new MessageComposer(Clock.fixed(date, ZoneOffset.UTC), MessageLimits.defaults())
                .compose(request(mta.recipient(), text));
        assertEquals(messageId, composed.content().messageId(),
                () -> "recomposing the request should give the Message-ID directmx reported\n" + run);
        byte[] expected = composed.content().bytes();
        if (!Arrays.equals(expected, mail.message())) {
            fail("the message " + mta.product + " stored (trace headers removed, CRLF) differs from what directmx"
                    + " composed\n--- composed:\n" + new String(expected, StandardCharsets.UTF_8)
                    + "--- stored (" + mail.file() + "):\n" + new String(mail.message(), StandardCharsets.UTF_8));
        }
        return new Delivery(run, mail);
    }

    /** The request that {@code directmx send --from --to --subject --text} builds. */
    private static MessageRequest request(String to, String text) {
        return new MessageRequest(null, FROM, null, List.of(to), List.of(), List.of(), List.of(), SUBJECT, text,
                null, Map.of(), List.of());
    }

    private static Instant parseDate(String value, Stored mail) {
        assertNotNull(value, () -> "no Date header\n" + mail.raw());
        try {
            return ZonedDateTime.parse(value, RFC_5322_DATE).toInstant();
        } catch (DateTimeParseException e) {
            return fail("Date '" + value + "' is not an RFC 5322 date\n" + mail.raw(), e);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String requiredEnv(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            fail(name + " is not set. These tests need NSD (scripts/peers/start.sh) and OpenSMTPD and Exim on "
                    + "loopback (scripts/peers/mtas.sh start), as root: run `scripts/peers/install.sh && "
                    + "scripts/peers/start.sh && scripts/peers/mtas.sh start`, then export both env files into the "
                    + "environment of Maven (`set -a; . target/peers/peers.env; . target/peers/mtas.env; set +a`) "
                    + "and run `mvn verify` again (scripts/test.sh does all of this).");
        }
        return value;
    }

    /**
     * Runs {@code java -jar target/directmx.jar send --json ...} as a child process. An ASCII
     * text goes in {@code --from/--to/--subject/--text}, as a user would type it. A non-ASCII
     * one goes in a {@code --message} file (UTF-8 JSON, the same request): Java encodes a child's
     * arguments in this JVM's sun.jnu.encoding, which is ASCII under a POSIX locale and
     * would turn the umlauts into '?' before directmx ever saw them.
     */
    private static Run send(Path tmp, String dns, String to, String text) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("directmx.jar", "target/directmx.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), () -> "the shaded jar is missing: " + jar + " (mvn package builds it)");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-jar", jar.toString(), "send", "--json"));
        if (StandardCharsets.US_ASCII.newEncoder().canEncode(text)) {
            command.addAll(List.of("--from", FROM, "--to", to, "--subject", SUBJECT, "--text", text));
        } else {
            Path message = tmp.resolve("message.json");
            Files.writeString(message, request(to, text).toJson(), StandardCharsets.UTF_8);
            command.addAll(List.of("--message", message.toString()));
        }
        command.addAll(List.of("--dns", dns, "--allow-private", "--fallback-ports", "none"));
        // Files, not pipes: nothing can block on a full pipe, and both survive a timeout.
        Path out = tmp.resolve("stdout.json");
        Path err = tmp.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        // A UTF-8 locale for the child whatever the machine's: its output is read as UTF-8.
        builder.environment().put("LC_ALL", "C.UTF-8");
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("directmx send did not finish within " + SEND_TIMEOUT.toSeconds() + " s: " + String.join(" ", command)
                    + "\n--- stdout:\n" + Files.readString(out) + "\n--- stderr:\n" + Files.readString(err));
        }
        return new Run(command, process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private record Run(List<String> command, int exitCode, String stdout, String stderr) {
        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                return fail("stdout of send --json is not JSON: " + e.getMessage() + "\n" + this);
            }
        }

        @Override
        public String toString() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
                    + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
        }
    }

    /** Every {@code sessions[*].transcript[*]} line of the JSON result. */
    private static List<String> transcriptLines(JsonNode result) {
        List<String> lines = new ArrayList<>();
        for (JsonNode session : result.path("sessions")) {
            for (JsonNode line : session.path("transcript")) {
                lines.add(line.asText());
            }
        }
        return lines;
    }

    private static Set<String> listFiles(Path dir) throws IOException {
        assertTrue(Files.isDirectory(dir), () -> "the Maildir " + dir + " does not exist: did mtas.sh start run?");
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(TreeSet::new, Set::add, Set::addAll);
        }
    }

    /**
     * Waits for a file that was not in the Maildir before and carries this Message-ID. Both
     * MTAs write into {@code tmp/} and rename into {@code new/}, so a file seen there is whole.
     */
    private static Stored awaitDelivery(Mta mta, Path mailbox, Set<String> before, String messageId)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + MAILBOX_WAIT.toNanos();
        Map<String, String> seen = new LinkedHashMap<>();
        while (true) {
            for (String name : listFiles(mailbox)) {
                if (before.contains(name) || seen.containsKey(name)) {
                    continue;
                }
                Stored mail = Stored.read(mailbox.resolve(name));
                if (messageId.equals(mail.header("Message-ID"))) {
                    return mail;
                }
                seen.put(name, mail.header("Message-ID"));
            }
            if (System.nanoTime() > deadline) {
                String log = System.getenv(mta.envPrefix + "_LOG");
                return fail("no message with Message-ID " + messageId + " reached " + mailbox + " within "
                        + MAILBOX_WAIT.toSeconds() + " s; other new files (name=Message-ID): " + seen
                        + (log == null ? "" : "\n--- end of " + log + ":\n" + tail(Path.of(log), 30)));
            }
            Thread.sleep(200);
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read: " + e + ")";
        }
    }

    /**
     * A message as an MTA stored it in a Maildir, split at directmx's first header field
     * (Date): the MTA's trace fields above it, directmx's message from it on.
     *
     * @param message the stored message from its Date field on, line ends made CRLF
     * @param traceNames the lower-cased names of the fields above Date
     * @param headerNames the names of the fields from Date on, as written and in order
     * @param headers the values of those fields, unfolded (the first of a repeated name)
     */
    private record Stored(Path file, String raw, byte[] message, Set<String> traceNames,
                          List<String> headerNames, Map<String, String> headers, String body) {

        static Stored read(Path file) throws IOException {
            byte[] bytes = Files.readAllBytes(file);
            // Lenient decoding (malformed bytes become U+FFFD) so an odd byte cannot hide the real failure.
            String raw = new String(bytes, StandardCharsets.UTF_8);
            byte[] crlf = toCrlf(bytes);
            String text = new String(crlf, StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            String head = headEnd < 0 ? text : text.substring(0, headEnd + 2);
            // Fields: a line not starting with white space begins one; continuation lines fold into it.
            List<String> fields = new ArrayList<>();
            for (String line : head.split("\r\n")) {
                if (!fields.isEmpty() && (line.startsWith(" ") || line.startsWith("\t"))) {
                    fields.set(fields.size() - 1, fields.get(fields.size() - 1) + "\r\n" + line);
                } else if (!line.isEmpty()) {
                    fields.add(line);
                }
            }
            Set<String> trace = new TreeSet<>();
            List<String> names = new ArrayList<>();
            Map<String, String> headers = new LinkedHashMap<>();
            int traceOctets = 0;
            boolean inTrace = true;
            for (String field : fields) {
                int colon = field.indexOf(':');
                String name = colon > 0 ? field.substring(0, colon) : field;
                if (inTrace && name.equals("Date")) {
                    inTrace = false;
                }
                if (inTrace) {
                    trace.add(name.toLowerCase(Locale.ROOT));
                    traceOctets += (field + "\r\n").getBytes(StandardCharsets.UTF_8).length;
                } else {
                    String value = colon > 0 ? field.substring(colon + 1).replace("\r\n", "").strip() : "";
                    names.add(name);
                    headers.putIfAbsent(name, value);
                }
            }
            byte[] message = Arrays.copyOfRange(crlf, traceOctets, crlf.length);
            String body = headEnd < 0 ? "" : text.substring(headEnd + 4);
            return new Stored(file, raw, message, trace, List.copyOf(names), headers, body);
        }

        String header(String name) {
            return headers.get(name);
        }

        /**
         * Maildir files have LF line ends (both MTAs strip the CR of SMTP's CRLF); the message
         * directmx sent had CRLF. A CR anywhere but before LF would be a change of the content.
         */
        private static byte[] toCrlf(byte[] in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + in.length / 40 + 16);
            for (int i = 0; i < in.length; i++) {
                byte b = in[i];
                if (b == '\r') {
                    if (i + 1 < in.length && in[i + 1] == '\n') {
                        continue;   // CRLF stored as is: written as CRLF below
                    }
                    out.write(b);   // a bare CR stays, and the comparison will show it
                } else if (b == '\n') {
                    out.write('\r');
                    out.write('\n');
                } else {
                    out.write(b);
                }
            }
            return out.toByteArray();
        }
    }
}
