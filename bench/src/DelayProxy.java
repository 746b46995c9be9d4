import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy that delays every chunk by a fixed time in each direction, preserving order (a
 * stand-in for tc/netem, which is not available here), and counts SMTP round trips.
 *
 * <pre>
 * java bench/src/DelayProxy.java --listen 127.0.0.3:2525 --target 127.0.0.1:2526 --delay-ms 25 --log conns.jsonl
 * </pre>
 *
 * <p>A round trip is a client-to-server burst (one or more chunks in a row) followed by a
 * server reply: every change of direction from client to server. Each is attributed to the
 * first SMTP command of its burst: EHLO/HELO/LHLO/STARTTLS are "setup", QUIT is "quit", the
 * rest (MAIL, RCPT, DATA, the content, RSET, ...) is "message". One JSON line per connection is
 * appended to the log when it closes. The proxy prints "listening HOST:PORT" once ready and
 * runs until killed.
 */
public final class DelayProxy {

    private final InetSocketAddress target;
    private final long delayNanos;
    private final String logFile;
    private final AtomicInteger ids = new AtomicInteger();

    DelayProxy(InetSocketAddress target, long delayMillis, String logFile) {
        this.target = target;
        this.delayNanos = delayMillis * 1_000_000L;
        this.logFile = logFile;
    }

    public static void main(String[] args) throws Exception {
        String listen = "127.0.0.1:0";
        String target = null;
        long delay = 25;
        String logFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--listen" -> listen = args[++i];
                case "--target" -> target = args[++i];
                case "--delay-ms" -> delay = Long.parseLong(args[++i]);
                case "--log" -> logFile = args[++i];
                case "--help", "-h" -> {
                    System.out.println("usage: DelayProxy --listen HOST:PORT --target HOST:PORT [--delay-ms 25] [--log FILE.jsonl]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("--target is required");
        }
        DelayProxy proxy = new DelayProxy(address(target), delay, logFile);
        InetSocketAddress bind = address(listen);
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(bind, 128);
            System.out.println("listening " + bind.getAddress().getHostAddress() + ":" + server.getLocalPort());
            System.out.flush();
            while (true) {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> proxy.serve(client));
            }
        }
    }

    static InetSocketAddress address(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(InetAddress.getByName(hostPort.substring(0, colon)),
                Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private void serve(Socket client) {
        Connection conn = new Connection(ids.incrementAndGet());
        try (client; Socket server = new Socket()) {
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            server.connect(target, 5000);
            Thread up = pump(client, server, conn, true);
            Thread down = pump(server, client, conn, false);
            up.join();
            down.join();
        } catch (IOException | InterruptedException e) {
            conn.error = e.toString();
        }
        conn.closed = System.nanoTime();
        // Opened per line, so the benchmark can move the log away between runs.
        synchronized (this) {
            if (logFile == null) {
                System.out.println(conn.json());
                System.out.flush();
            } else {
                try (PrintStream log = new PrintStream(new java.io.FileOutputStream(logFile, true), true, StandardCharsets.UTF_8)) {
                    log.println(conn.json());
                } catch (IOException e) {
                    System.err.println("cannot write " + logFile + ": " + e);
                }
            }
        }
    }

    private record Chunk(long due, byte[] bytes) {
    }

    /** Reads chunks from one socket and writes each to the other once its delay has passed. */
    private Thread pump(Socket from, Socket to, Connection conn, boolean clientToServer) {
        LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        Chunk end = new Chunk(0, new byte[0]);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk chunk = queue.take();
                    if (chunk == end) {
                        break;
                    }
                    long wait = chunk.due() - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                    }
                    out.write(chunk.bytes());
                    out.flush();
                }
                // Pass the half-close on after the last delayed chunk.
                to.shutdownOutput();
            } catch (IOException | InterruptedException e) {
                closeQuietly(to);
                closeQuietly(from);
            }
        });
        return Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[65536];
            try {
                InputStream in = from.getInputStream();
                int n;
                while ((n = in.read(buffer)) > 0) {
                    byte[] bytes = Arrays.copyOf(buffer, n);
                    conn.observe(clientToServer, bytes);
                    queue.add(new Chunk(System.nanoTime() + delayNanos, bytes));
                }
            } catch (IOException e) {
                // The other side closed: stop forwarding this direction.
            }
            queue.add(end);
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    /** Per-connection counters; observe() is called by both reader threads. */
    static final class Connection {
        final int id;
        final long opened = System.nanoTime();
        final long openedEpochMillis = System.currentTimeMillis();
        long closed;
        String error;
        long bytesUp;
        long bytesDown;
        int chunksUp;
        int chunksDown;
        boolean lastWasClient;
        String burstFirstCommand;
        final List<String> roundTrips = new ArrayList<>();
        int setup;
        int quit;
        int message;
        int messages;
        // Client stream parsing: command lines, DATA content, BDAT chunks.
        final StringBuilder line = new StringBuilder();
        boolean inData;
        long bdatRemaining;

        Connection(int id) {
            this.id = id;
        }

        synchronized void observe(boolean clientToServer, byte[] bytes) {
            if (clientToServer) {
                bytesUp += bytes.length;
                chunksUp++;
                String first = parse(bytes);
                if (!lastWasClient) {
                    burstFirstCommand = first == null ? "(content)" : first;
                    lastWasClient = true;
                }
            } else {
                bytesDown += bytes.length;
                chunksDown++;
                if (lastWasClient) {
                    String verb = burstFirstCommand;
                    roundTrips.add(verb);
                    switch (verb) {
                        case "EHLO", "HELO", "LHLO", "STARTTLS" -> setup++;
                        case "QUIT" -> quit++;
                        default -> message++;
                    }
                    lastWasClient = false;
                }
            }
        }

        /** Feeds client bytes to the line parser; returns the first command verb they start. */
        private String parse(byte[] bytes) {
            String first = null;
            for (int i = 0; i < bytes.length; i++) {
                if (bdatRemaining > 0) {
                    long skip = Math.min(bdatRemaining, bytes.length - i);
                    bdatRemaining -= skip;
                    i += (int) skip - 1;
                    continue;
                }
                char c = (char) (bytes[i] & 0xff);
                if (line.length() < 200) {
                    line.append(c);
                }
                if (c != '\n') {
                    continue;
                }
                String text = line.toString().strip();
                line.setLength(0);
                if (inData) {
                    if (text.equals(".")) {
                        inData = false;
                        messages++;
                    }
                    if (first == null) {
                        first = "(content)";
                    }
                    continue;
                }
                String verb = text.split("[ :]", 2)[0].toUpperCase(Locale.ROOT);
                if (first == null) {
                    first = verb;
                }
                if (verb.equals("DATA")) {
                    inData = true;
                } else if (verb.equals("BDAT")) {
                    String[] parts = text.split(" ");
                    bdatRemaining = Long.parseLong(parts[1]);
                    if (parts.length > 2 && parts[2].equalsIgnoreCase("LAST")) {
                        messages++;
                    }
                }
            }
            return first;
        }

        synchronized String json() {
            StringBuilder trips = new StringBuilder();
            for (String t : roundTrips) {
                trips.append(trips.isEmpty() ? "" : ",").append('"').append(t.replace("\"", "")).append('"');
            }
            return String.format(Locale.ROOT,
                    "{\"id\":%d,\"openedEpochMillis\":%d,\"durationMs\":%.3f,\"messages\":%d,\"roundTrips\":%d,"
                            + "\"setupRoundTrips\":%d,\"quitRoundTrips\":%d,\"messageRoundTrips\":%d,"
                            + "\"bytesUp\":%d,\"bytesDown\":%d,\"chunksUp\":%d,\"chunksDown\":%d,\"trips\":[%s]%s}",
                    id, openedEpochMillis, (closed - opened) / 1e6, messages, roundTrips.size(), setup, quit, message,
                    bytesUp, bytesDown, chunksUp, chunksDown, trips,
                    error == null ? "" : ",\"error\":\"" + error.replace("\"", "'") + "\"");
        }
    }
}
