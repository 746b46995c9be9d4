package dev.directmx.sandbox.smtp;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The transport of one session: the accepted socket, later the TLS socket layered on it, and the
 * input and output over whichever is current. Writes every reply line to the server log before it
 * goes on the wire, so the log is complete by the time the client reads the reply.
 *
 * <p>One instance per accepted connection, confined to that session's thread, except {@link
 * #close()}, which the server may call from another thread to end the session.
 */
final class Connection implements Closeable {

    // RFC 8996 retired TLS 1.0 and 1.1; a sandbox that offered them would hide client mistakes.
    private static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private static final byte[] NOT_TLS =
            "this is not TLS: FAIL_STARTTLS_HANDSHAKE\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Socket raw;
    private final ServerState state;
    private Socket socket;
    private SmtpInput input;
    private OutputStream output;
    private String tlsProtocol;
    private boolean ended;

    Connection(Socket raw, ServerState state) throws IOException {
        this.raw = raw;
        this.state = state;
        useSocket(raw);
    }

    SmtpInput input() {
        return input;
    }

    /** The negotiated TLS protocol, or {@code null} while the connection is plaintext. */
    String tlsProtocol() {
        return tlsProtocol;
    }

    boolean inTls() {
        return tlsProtocol != null;
    }

    /** Whether the session should read another command. */
    boolean open() {
        return !ended;
    }

    /** Reads no more commands: the session ends once the current one is answered. */
    void end() {
        ended = true;
    }

    void pause(Duration delay) throws IOException {
        if (delay.isZero()) {
            return;
        }
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("server closed during a scripted delay");
        }
    }

    /** Writes a reply; a 421 also ends the session (RFC 5321 §3.8: the server then closes). */
    void write(Reply reply) throws IOException {
        reply.wireLines().forEach(line -> state.log("S: " + line));
        output.write(reply.toBytes());
        output.flush();
        if (reply.code() == 421) {
            end();
        }
    }

    /**
     * Runs the server side of a TLS handshake over the current socket. Plaintext that the client
     * pipelined behind STARTTLS is dropped, never read as if it had come over TLS (RFC 3207 §4.2;
     * the Postfix command injection bug, CVE-2011-0411).
     */
    void startTls(SSLContext context) throws IOException {
        int dropped = input.discardBuffered();
        if (dropped > 0) {
            state.log("* dropped " + dropped + " octets pipelined after STARTTLS");
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory()
                .createSocket(raw, raw.getInetAddress().getHostAddress(), raw.getPort(), true);
        tls.setUseClientMode(false);
        tls.setEnabledProtocols(TLS_PROTOCOLS);
        tls.startHandshake();
        useSocket(tls);
        tlsProtocol = tls.getSession().getProtocol();
        state.log("* TLS " + tlsProtocol + " " + tls.getSession().getCipherSuite());
    }

    /**
     * Breaks a TLS handshake the client has begun: waits for its first handshake bytes, answers
     * with plaintext that no TLS stack can parse, then hangs up.
     */
    void breakTlsHandshake() throws IOException {
        input.skipAvailable();
        state.log("* breaking the TLS handshake (FAIL_STARTTLS_HANDSHAKE)");
        output.write(NOT_TLS);
        output.flush();
        hangUp();
    }

    /**
     * Closes the connection gracefully from this side: the client reads end-of-stream. The server
     * half-closes and then drains what the client still sends, so that unread input does not make
     * the kernel answer with a reset that the client would see instead of the end of the stream.
     */
    void hangUp() throws IOException {
        end();
        state.log("* hanging up");
        try {
            socket.shutdownOutput();
        } catch (UnsupportedOperationException | IOException e) {
            // Not every socket can half-close; a full close still ends the stream for the client.
            close();
            return;
        }
        drain();
    }

    /** Reads and drops input until the client hangs up, the idle timeout passes or close(). */
    void drain() throws IOException {
        end();
        try {
            while (input.skipAvailable()) {
                // Nothing to do with it: the point is not to answer.
            }
        } catch (SocketTimeoutException e) {
            state.log("* idle timeout");
        }
    }

    @Override
    public void close() throws IOException {
        // Closing the accepted socket also ends a TLS socket layered on it.
        raw.close();
    }

    private void useSocket(Socket next) throws IOException {
        socket = next;
        input = new SmtpInput(next.getInputStream());
        output = new BufferedOutputStream(next.getOutputStream());
    }
}
