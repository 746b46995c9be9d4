package dev.directmx.sandbox.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * A receiving SMTP server whose every reply and fault can be scripted: the recipient's MX for
 * fault-injection tests of the SMTP client and the delivery engine, and for the offline
 * {@code demo}, where it plays that MX with STARTTLS. It speaks real ESMTP (RFC 5321) with
 * PIPELINING, 8BITMIME, SMTPUTF8, CHUNKING, SIZE and STARTTLS, records the messages it accepts,
 * and misbehaves on request through canned replies ({@link Builder#reply}), per-recipient replies,
 * delays and {@link SocketPolicy socket policies}.
 *
 * <p>Lifecycle: {@link #builder()}, configure, {@link Builder#start()} (binds and starts
 * accepting), point the client at {@link #address()}, inspect {@link #received()} and
 * {@link #log()}, then {@link #close()}, typically with try-with-resources. Each connection is
 * served on its own virtual thread; {@code close()} ends them all and waits for them. One instance
 * serves any number of connections, concurrent or not; the methods are thread-safe.
 *
 * <pre>{@code
 * try (ScriptedSmtpServer mx = ScriptedSmtpServer.builder()
 *     .rcptReply("bob@example.net", "550 5.1.1 user unknown")
 *     .start()) {
 *   // deliver to mx.address() ...
 *   assertThat(mx.received().get(0).recipients()).containsExactly("alice@example.net");
 * }
 * }</pre>
 */
public final class ScriptedSmtpServer implements AutoCloseable {

    /** How long {@link #close()} waits for sessions to end; they end on socket close at once. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final ServerScript script;
    private final ServerSocket listener;
    private final InetSocketAddress address;
    private final ServerState state = new ServerState();
    private final Map<Thread, SmtpSession> sessions = new ConcurrentHashMap<>();
    private final Thread acceptor;
    private volatile boolean closed;

    private ScriptedSmtpServer(ServerScript script, ServerSocket listener) {
        this.script = script;
        this.listener = listener;
        this.address = new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
        this.acceptor = Thread.ofVirtual()
                .name("scripted-smtp-accept-" + address.getPort())
                .unstarted(this::acceptLoop);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The address the server listens on, with the real port when the builder asked for port 0. */
    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** The messages accepted so far (END_OF_DATA reply 2xx), oldest first; a snapshot. */
    public List<ReceivedMessage> received() {
        return state.received();
    }

    /**
     * Waits until at least {@code count} messages have been accepted.
     *
     * @return true if they have, false if {@code timeout} passed first
     */
    public boolean awaitReceived(int count, Duration timeout) throws InterruptedException {
        return state.awaitReceived(count, timeout);
    }

    /** How many TCP connections the server has accepted. */
    public int connectionCount() {
        return state.connectionCount();
    }

    /**
     * The most connections that were open at the same time, to check a client's concurrency cap.
     */
    public int peakConnections() {
        return state.peakConnections();
    }

    /** How many sessions are still running; zero once {@link #close()} has returned. */
    int openSessions() {
        return sessions.size();
    }

    /**
     * The server's view of all sessions so far, in order, as a snapshot: {@code "C: EHLO x"} for a
     * command, {@code "S: 250-mx.sandbox.test"} for each reply line, and lines starting with
     * {@code "* "} for events (connection, TLS, hang-up). Message data is elided to its size.
     * Lines of concurrent sessions interleave.
     */
    public List<String> log() {
        return state.log();
    }

    /** Stops listening, closes every session and waits for their threads to end. Idempotent. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        join(acceptor);
        // The acceptor has ended, so no session can start behind this loop.
        sessions.values().forEach(SmtpSession::abort);
        sessions.keySet().forEach(Thread::interrupt);
        sessions.keySet().forEach(ScriptedSmtpServer::join);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    state.log("* no longer listening: " + e);
                }
                return;
            }
            if (closed) {
                closeQuietly(socket);
                return;
            }
            serve(socket, state.connectionOpened());
            if (script.policy(state) == SocketPolicy.REFUSE_ALL_AFTER_FIRST) {
                state.log("* no longer listening (REFUSE_ALL_AFTER_FIRST)");
                closeQuietly(listener);
                return;
            }
        }
    }

    private void serve(Socket socket, int number) {
        SmtpSession session;
        try {
            session = new SmtpSession(script, state, socket, number);
        } catch (IOException e) {
            state.log("* connection " + number + " failed before the session started: " + e);
            state.connectionClosed();
            closeQuietly(socket);
            return;
        }
        Thread thread = Thread.ofVirtual().name("scripted-smtp-session-" + number).unstarted(() -> {
            try {
                session.run();
            } finally {
                state.connectionClosed();
                sessions.remove(Thread.currentThread());
            }
        });
        sessions.put(thread, session);
        thread.start();
    }

    private static void join(Thread thread) {
        try {
            thread.join(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Closing during shutdown: nothing useful can be done about a failure here.
        }
    }

    /**
     * Configures a {@link ScriptedSmtpServer}. Every setting is checked when it is made, so a bad
     * canned reply fails the test that wrote it, not a session later. Not thread-safe; one per
     * server.
     */
    public static final class Builder {

        /** The extensions advertised unless {@link #extensions} says otherwise. */
        public static final List<String> DEFAULT_EXTENSIONS = List.of(
                "PIPELINING", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "STARTTLS",
                "SIZE 10240000");

        /** The default host name, the one the sandbox certificate is issued to. */
        public static final String DEFAULT_HOSTNAME = "mx.sandbox.test";

        /**
         * The default idle timeout. RFC 5321 §4.5.3.2.7 asks servers to wait 5 minutes for a
         * command; 30 seconds is plenty for a local client and lets abandoned sessions end soon.
         */
        public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

        private static final InetAddress IPV4_LOOPBACK = ipv4Loopback();

        private InetAddress bindAddress = IPV4_LOOPBACK;
        private int port;
        private String hostname = DEFAULT_HOSTNAME;
        private List<String> extensions = DEFAULT_EXTENSIONS;
        private final Map<SmtpStage, Reply> replies = new EnumMap<>(SmtpStage.class);
        private final Map<String, Reply> rcptReplies = new LinkedHashMap<>();
        private final Map<SmtpStage, Duration> delays = new EnumMap<>(SmtpStage.class);
        private SocketPolicy policy = SocketPolicy.NORMAL;
        private int policyAfter;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private boolean implicitTls;
        private Duration greylistDelay;

        private Builder() {}

        /**
         * Listens on {@code address} and {@code port}; port 0, the default, picks a free port. The
         * default address is 127.0.0.1; other loopback addresses (127.0.0.2, ::1) let several
         * servers pose as different MX hosts on one port.
         */
        public Builder bind(InetAddress address, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535: " + port);
            }
            this.bindAddress = Objects.requireNonNull(address, "address");
            this.port = port;
            return this;
        }

        /** The name in the greeting and on the first EHLO line; default {@value #DEFAULT_HOSTNAME}. */
        public Builder hostname(String hostname) {
            if (!hostname.matches("\\S+")) {
                throw new IllegalArgumentException("hostname must be one word: \"" + hostname + "\"");
            }
            this.hostname = hostname;
            return this;
        }

        /**
         * The extensions EHLO advertises, in order, such as {@code "SIZE 10240000"}; none at all
         * makes a plain ESMTP server. The server honours what it advertises: STARTTLS (dropped from
         * the list once TLS is up), CHUNKING (BDAT), SIZE (refuses larger messages), and the MAIL and
         * RCPT parameters of the others; parameters of extensions not advertised get 555.
         */
        public Builder extensions(String... extensions) {
            for (String extension : extensions) {
                if (extension.isBlank() || extension.contains("\r") || extension.contains("\n")) {
                    throw new IllegalArgumentException("not an EHLO keyword line: \"" + extension + "\"");
                }
            }
            this.extensions = List.of(extensions);
            return this;
        }

        /** Answers EHLO with "502 5.5.1 command not recognized", so the client must fall back to HELO. */
        public Builder ehloRefused() {
            return reply(SmtpStage.EHLO, "502 5.5.1 command not recognized");
        }

        /** Speaks TLS from the first byte, like a submissions port (RFC 8314 §3.3). */
        public Builder implicitTls() {
            this.implicitTls = true;
            return this;
        }

        /**
         * Replaces the 220 greeting. After a 554 (or any other non-220) greeting the server answers
         * every command but QUIT with 503 (RFC 5321 §3.1); after a 421 it closes the connection.
         */
        public Builder greeting(String reply) {
            return reply(SmtpStage.GREETING, reply);
        }

        /**
         * Replaces the standard reply at {@code stage}, such as {@code "451 4.3.0 try later"}. Write
         * several lines separated by {@code \n}, each starting with the same code. The server acts on
         * the reply it sends: a refused MAIL starts no transaction, a DATA reply other than 354 reads
         * no data, a non-2xx END_OF_DATA records nothing, a STARTTLS reply other than 220 starts no
         * TLS, and a 421 anywhere closes the connection (RFC 5321 §3.8). Replies to protocol errors
         * (503 bad sequence, 501 syntax) come first and are not replaced.
         */
        public Builder reply(SmtpStage stage, String reply) {
            replies.put(Objects.requireNonNull(stage, "stage"), Reply.parse(reply));
            return this;
        }

        /**
         * Replies to RCPT for {@code address} (matched case-insensitively against the address inside
         * the angle brackets) with {@code reply}; it wins over {@code reply(SmtpStage.RCPT, ...)}.
         */
        public Builder rcptReply(String address, String reply) {
            rcptReplies.put(address.toLowerCase(Locale.ROOT), Reply.parse(reply));
            return this;
        }

        public Builder policy(SocketPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Lets the socket policy take effect only once the server has accepted {@code messages}
         * messages (on any connection), so that a connection can carry good transactions before it
         * misbehaves: the test of a reused connection that fails. Default 0: from the start.
         */
        public Builder policyAfter(int messages) {
            if (messages < 0) {
                throw new IllegalArgumentException("policyAfter must not be negative: " + messages);
            }
            this.policyAfter = messages;
            return this;
        }

        /** Waits {@code delay} before sending the reply at {@code stage}, to exercise client timeouts. */
        public Builder delay(SmtpStage stage, Duration delay) {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative: " + delay);
            }
            delays.put(Objects.requireNonNull(stage, "stage"), delay);
            return this;
        }

        /**
         * How long a session waits for the client to send something before it ends (with 421 4.4.2
         * when it was waiting for a command). Default {@link #DEFAULT_IDLE_TIMEOUT}, 30 seconds.
         */
        public Builder idleTimeout(Duration timeout) {
            if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("idle timeout must be 1 ms to 24 days: " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * Greylists like postgrey: the first RCPT of each (sender, recipient) pair gets
         * {@code 450 4.2.0 ... Greylisted}, and the pair passes once {@code delay} has gone by.
         */
        public Builder greylist(Duration delay) {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("greylisting delay must not be negative: " + delay);
            }
            this.greylistDelay = delay;
            return this;
        }

        /** Binds the listener and starts accepting connections. */
        public ScriptedSmtpServer start() throws IOException {
            // Each server has its own context, so that no TLS session cache is shared between servers.
            boolean offersTls = implicitTls
                    || extensions.stream().map(e -> e.trim().split(" ")[0]).anyMatch("STARTTLS"::equalsIgnoreCase);
            SSLContext tls = offersTls ? SandboxTls.serverContext() : null;
            ServerScript script = new ServerScript(
                    hostname, extensions, replies, rcptReplies, delays, policy, policyAfter, idleTimeout, implicitTls, tls,
                    greylistDelay == null ? null : new Greylist(greylistDelay));
            ServerSocket listener = new ServerSocket(port, 50, bindAddress);
            ScriptedSmtpServer server = new ScriptedSmtpServer(script, listener);
            server.acceptor.start();
            return server;
        }

        private static InetAddress ipv4Loopback() {
            try {
                return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
            } catch (IOException e) {
                throw new AssertionError("a four-byte address is always valid", e);
            }
        }
    }
}
