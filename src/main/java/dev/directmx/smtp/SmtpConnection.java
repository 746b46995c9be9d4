package dev.directmx.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One TCP connection to an SMTP server: line I/O with per-stage timeouts bounded by the message
 * deadline, reply parsing, the TLS upgrade, and the transcript. It knows no SMTP semantics
 * beyond reply syntax; {@link SmtpClient} drives it.
 *
 * <p>Lifecycle: {@link #open} connects for one message and arms that message's deadline. When
 * the connection is reused, each transaction is a loan: {@link #lend} gives it the next message's
 * deadline and transcript and arms a new watchdog, {@link #endLoan} disarms it, so that a pooled
 * connection is never closed by an earlier message's deadline. One thread at a time uses it; the
 * watchdog is the only other thread that touches it.
 */
public final class SmtpConnection implements Closeable {

    /** RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; tolerate more, but not without end. */
    private static final int MAX_LINE = 8192;
    /** A reply of more lines than this is a broken or hostile server (EHLO replies have ~15). */
    private static final int MAX_REPLY_LINES = 200;

    private final String serverName;
    private final SSLSocketFactory tlsFactory;
    /** The deadline and transcript of the message using the connection now. */
    private volatile Deadline deadline;
    private volatile Transcript transcript;
    private final Object guard = new Object();
    private ScheduledFuture<?> watchdog; // guarded by guard
    /** Counts loans, so that a watchdog armed for an earlier loan never fires on a later one. */
    private int loan; // guarded by guard
    /** Whether the current wait was cut short by the deadline rather than by its stage timeout. */
    private volatile boolean waitBoundByDeadline;
    private volatile boolean watchdogFired;
    /**
     * False once the connection can no longer carry a transaction: an I/O failure, a timeout, a
     * reply that could not be parsed, a 421 (RFC 5321 §3.8: the server is closing), the watchdog.
     */
    private volatile boolean healthy = true;
    private volatile Socket raw;
    private volatile Socket socket;
    private InputStream in;
    private OutputStream out;
    private TlsInfo tls;

    /** The server's host name, for the transcript. */
    public String serverName() {
        return serverName;
    }

    private SmtpConnection(String serverName, Deadline deadline, Transcript transcript, SSLSocketFactory tlsFactory) {
        this.serverName = serverName;
        this.deadline = deadline;
        this.transcript = transcript;
        this.tlsFactory = tlsFactory;
    }

    /**
     * Connects, and for {@link TlsMode#IMPLICIT} completes the TLS handshake before returning.
     *
     * @param serverName the MX host name, used for SNI and the transcript
     */
    public static SmtpConnection open(InetSocketAddress address, String serverName, TlsMode mode,
            SocketFactory sockets, SSLSocketFactory tlsFactory, SmtpTimeouts timeouts, Deadline deadline,
            Transcript transcript) throws SmtpIoException {
        SmtpConnection connection = new SmtpConnection(serverName, deadline, transcript, tlsFactory);
        Duration connectTimeout = deadline.bound(timeouts.connect());
        if (connectTimeout.isZero()) {
            throw new SmtpIoException("connect", "message deadline passed before connecting", true, true, null);
        }
        connection.waitBoundByDeadline = connectTimeout.compareTo(timeouts.connect()) < 0;
        transcript.event("connecting to " + serverName + " [" + address.getAddress().getHostAddress() + "]:" + address.getPort()
                + (mode == TlsMode.IMPLICIT ? " (implicit TLS)" : ""));
        Socket socket = null;
        try {
            socket = sockets.createSocket();
            connection.raw = socket;
            connection.arm();
            socket.connect(address, (int) Math.max(1, connectTimeout.toMillis()));
            socket.setTcpNoDelay(true);
            connection.attach(socket);
            transcript.event("connected");
            if (mode == TlsMode.IMPLICIT) {
                connection.handshake("implicit TLS", timeouts.command());
            }
            return connection;
        } catch (SmtpIoException e) {
            connection.close();
            closeQuietly(socket);
            throw e;
        } catch (IOException e) {
            connection.close();
            closeQuietly(socket);
            throw connection.failure("connect", e);
        }
    }

    /**
     * Gives an open connection to the next transaction: its message's deadline bounds every wait
     * from now on, and its transcript records what is said.
     */
    public void lend(Deadline next, Transcript nextTranscript) {
        this.deadline = next;
        this.transcript = nextTranscript;
        arm();
    }

    /**
     * Ends the current loan: the watchdog is disarmed, so the message's deadline no longer
     * concerns the connection.
     *
     * @return whether the connection can carry another transaction
     */
    public boolean endLoan() {
        synchronized (guard) {
            loan++;
            if (watchdog != null) {
                watchdog.cancel(false);
                watchdog = null;
            }
            return healthy && !watchdogFired;
        }
    }

    /** Whether nothing has happened yet that rules out another transaction. */
    public boolean healthy() {
        return healthy && !watchdogFired;
    }

    /**
     * Closes the socket when the current message's deadline passes. Socket read timeouts cannot
     * bound a blocked write or a TLS handshake that trickles, so this is what makes the deadline hard.
     */
    private void arm() {
        long millis = Math.max(1, deadline.remaining().toMillis());
        Transcript armedFor = transcript;
        synchronized (guard) {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
            int mine = ++loan;
            watchdog = WATCHDOG.schedule(() -> expire(mine, armedFor), millis, TimeUnit.MILLISECONDS);
        }
    }

    private void expire(int armedLoan, Transcript armedFor) {
        synchronized (guard) {
            if (armedLoan != loan) {
                return; // the loan it guarded has ended: the connection is idle or serves another message
            }
            watchdogFired = true;
            healthy = false;
        }
        armedFor.event("message deadline reached: closing the connection");
        closeQuietly(raw);
        closeQuietly(socket);
    }

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "directmx-smtp-deadline");
        t.setDaemon(true);
        return t;
    });

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
        this.out = new java.io.BufferedOutputStream(s.getOutputStream(), 64 * 1024);
    }

    /** Upgrades the connection to TLS after a 220 reply to STARTTLS (RFC 3207 §4). */
    public TlsInfo startTls(Duration stageTimeout) throws SmtpIoException {
        return handshake("STARTTLS", stageTimeout);
    }

    private TlsInfo handshake(String stage, Duration stageTimeout) throws SmtpIoException {
        try {
            applyTimeout(stage, stageTimeout);
            SSLSocket ssl = (SSLSocket) tlsFactory.createSocket(socket, serverName, socket.getPort(), true);
            ssl.setUseClientMode(true);
            SSLParameters params = ssl.getSSLParameters();
            params.setProtocols(OpportunisticTls.PROTOCOLS);
            if (isHostName(serverName)) {
                params.setServerNames(List.of(new SNIHostName(serverName)));
            }
            ssl.setSSLParameters(params);
            ssl.startHandshake();
            attach(ssl);
            tls = new TlsInfo(ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite());
            transcript.event("TLS established: " + tls.protocol() + " " + tls.cipherSuite());
            return tls;
        } catch (SSLException e) {
            healthy = false;
            transcript.event("TLS handshake failed: " + e.getMessage());
            throw new TlsHandshakeException(stage, "TLS handshake failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw failure(stage, e);
        }
    }

    private static boolean isHostName(String name) {
        // SNI takes DNS names only, not address literals (RFC 6066 §3).
        return name != null && !name.isEmpty() && !name.contains(":") && !name.matches("[0-9.]+")
                && name.contains(".");
    }

    /** The TLS parameters in use, or {@code null} while the connection is plaintext. */
    public TlsInfo tls() {
        return tls;
    }

    /** Sends one command line; it is buffered until {@link #flush} so that pipelined commands share a write. */
    public void send(String line) throws SmtpIoException {
        transcript.client(line);
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.write('\r');
            out.write('\n');
        } catch (IOException e) {
            throw failure(line, e);
        }
    }

    /** Sends body octets without logging them; the caller records their size. */
    public void sendBody(byte[] data, int offset, int length, String stage, Duration stageTimeout) throws SmtpIoException {
        try {
            applyTimeout(stage, stageTimeout);
            out.write(data, offset, length);
        } catch (IOException e) {
            throw failure(stage, e);
        }
    }

    public void flush(String stage) throws SmtpIoException {
        try {
            out.flush();
        } catch (IOException e) {
            throw failure(stage, e);
        }
    }

    /**
     * Reads one complete reply, single- or multi-line (RFC 5321 §4.2.1: {@code 250-} continues,
     * {@code 250 } ends), waiting at most {@code stageTimeout} and never past the deadline.
     */
    public SmtpReply readReply(String command, Duration stageTimeout) throws SmtpIoException {
        try {
            applyTimeout(command, stageTimeout);
            List<String> texts = new ArrayList<>();
            int code = -1;
            while (true) {
                String line = readLine();
                transcript.server(line);
                if (line.length() < 3 || !isDigits(line.substring(0, 3))) {
                    throw broken(new SmtpIoException(command, "malformed reply to " + command + ": '" + line + "'", false, null));
                }
                int lineCode = Integer.parseInt(line.substring(0, 3));
                if (code == -1) {
                    code = lineCode;
                }
                if (lineCode != code || lineCode < 200 || lineCode > 599) {
                    throw broken(new SmtpIoException(command, "malformed reply to " + command + ": '" + line + "'", false, null));
                }
                boolean more = line.length() > 3 && line.charAt(3) == '-';
                texts.add(line.length() > 4 ? line.substring(4) : "");
                if (!more) {
                    if (code == SmtpCodes.C421_SERVICE_UNAVAILABLE) {
                        // RFC 5321 §3.8: a 421 announces that the server closes the connection.
                        healthy = false;
                    }
                    return SmtpReply.fromWire(command, code, texts);
                }
                if (texts.size() >= MAX_REPLY_LINES) {
                    throw broken(new SmtpIoException(command, "reply to " + command + " exceeds " + MAX_REPLY_LINES + " lines", false, null));
                }
            }
        } catch (SmtpIoException e) {
            throw e;
        } catch (IOException e) {
            throw failure(command, e);
        }
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("connection closed by server");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("reply line longer than " + MAX_LINE + " octets");
            }
            line.write(b);
        }
    }

    private void applyTimeout(String stage, Duration stageTimeout) throws IOException {
        Duration bounded = deadline.bound(stageTimeout);
        if (bounded.isZero()) {
            throw broken(new SmtpIoException(stage, "message deadline reached before " + stage, true, true, null));
        }
        waitBoundByDeadline = bounded.compareTo(stageTimeout) < 0;
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, bounded.toMillis())));
    }

    private SmtpIoException failure(String stage, IOException e) {
        // A wait cut to the time left ends a hair before the deadline's own clock says so:
        // decide by what bounded the wait, not by reading the clock again.
        boolean deadlineHit = watchdogFired || deadline.expired()
                || (e instanceof SocketTimeoutException && waitBoundByDeadline);
        boolean timeout = e instanceof SocketTimeoutException || deadlineHit;
        String what;
        if (timeout) {
            what = deadlineHit
                    ? "message deadline reached during " + stage
                    : "timed out waiting at " + stage;
        } else if (e instanceof EOFException) {
            what = "connection closed by server during " + stage;
        } else {
            what = stage + " failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        transcript.event(what);
        return broken(new SmtpIoException(stage, what, timeout, deadlineHit, e));
    }

    /** Marks the connection unusable for further transactions, and returns {@code e} to throw. */
    private SmtpIoException broken(SmtpIoException e) {
        healthy = false;
        return e;
    }

    @Override
    public void close() {
        endLoan();
        healthy = false;
        closeQuietly(socket);
        closeQuietly(raw);
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Nothing useful to do: the connection is being abandoned.
            }
        }
    }
}
