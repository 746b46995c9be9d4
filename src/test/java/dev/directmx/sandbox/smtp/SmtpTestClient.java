package dev.directmx.sandbox.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A deliberately dumb SMTP client for driving {@link ScriptedSmtpServer} in tests: it writes what
 * it is told and reads replies, with no protocol logic of its own. One instance per connection.
 */
final class SmtpTestClient implements Closeable {

    /** Long enough for any reply from a local server, short enough that a hung test fails fast. */
    static final Duration READ_TIMEOUT = Duration.ofMillis(1500);

    /** A reply as read from the wire. */
    record ServerReply(int code, List<String> lines) {

        /** The text after the code on the last line. */
        String text() {
            String last = lines.get(lines.size() - 1);
            return last.length() > 4 ? last.substring(4) : "";
        }
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private SmtpTestClient(Socket socket) throws IOException {
        use(socket);
    }

    static SmtpTestClient connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, (int) READ_TIMEOUT.toMillis());
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        return new SmtpTestClient(socket);
    }

    /** Connects with TLS from the first byte, trusting the sandbox certificate. */
    static SmtpTestClient connectTls(InetSocketAddress address) throws IOException {
        SmtpTestClient client = connect(address);
        client.startTls();
        return client;
    }

    void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /** Sends one command line with CRLF and reads its reply. */
    ServerReply command(String line) throws IOException {
        send(line + "\r\n");
        return readReply();
    }

    /** Sends text as it is, in one write. */
    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one (possibly multi-line) reply, or returns null if the server closed the stream. */
    ServerReply readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                return null;
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return new ServerReply(Integer.parseInt(line.substring(0, 3)), lines);
            }
        }
    }

    /** Runs a client TLS handshake over the current socket, trusting the sandbox certificate. */
    void startTls() throws IOException {
        startTls(SandboxTls.clientContext());
    }

    void startTls(SSLContext context) throws IOException {
        InetSocketAddress peer = (InetSocketAddress) socket.getRemoteSocketAddress();
        SSLSocket tls = (SSLSocket) context.getSocketFactory()
                .createSocket(socket, peer.getHostString(), peer.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        use(tls);
    }

    String tlsProtocol() {
        return socket instanceof SSLSocket tls ? tls.getSession().getProtocol() : null;
    }

    /** Reads one raw octet: -1 at end of stream. */
    int read() throws IOException {
        return in.read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void use(Socket next) throws IOException {
        socket = next;
        in = new BufferedInputStream(next.getInputStream());
        out = next.getOutputStream();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                return null;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
