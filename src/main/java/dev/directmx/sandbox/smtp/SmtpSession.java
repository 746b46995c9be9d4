package dev.directmx.sandbox.smtp;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The server side of one SMTP connection (RFC 5321), played from a {@link ServerScript}: reads
 * commands line by line, answers the session commands (EHLO, HELO, STARTTLS, RSET, NOOP, QUIT)
 * itself and hands mail transactions to {@link MailTransactions}.
 *
 * <p>One instance per accepted connection, run once on its own virtual thread. It ends when the
 * client quits or hangs up, a 421 is sent, a socket policy hangs up, the idle timeout passes or
 * the server closes the socket ({@link #abort()}, the one method other threads may call).
 */
final class SmtpSession implements Runnable {

    // RFC 5321 §4.5.3.1.4 allows 512 octets for a command line, but ESMTP parameters make real
    // ones longer; 1000 octets with CR LF, the text-line limit of §4.5.3.1.6, is what we enforce.
    static final int MAX_COMMAND_OCTETS = 1000;

    private final ServerScript script;
    private final ServerState state;
    private final Connection connection;
    private final MailTransactions transactions;
    private final String peer;
    private boolean greeted;
    private boolean usedHelo;
    private boolean serviceRefused;

    SmtpSession(ServerScript script, ServerState state, Socket socket, int number) throws IOException {
        this.script = script;
        this.state = state;
        this.peer = "connection " + number + " from " + socket.getRemoteSocketAddress();
        socket.setSoTimeout((int) script.idleTimeout().toMillis());
        this.connection = new Connection(socket, state);
        this.transactions = new MailTransactions(script, state, connection);
    }

    /** Ends the session from another thread: its blocked read or write fails at once. */
    void abort() {
        try {
            connection.close();
        } catch (IOException e) {
            // Closing was all that was asked; a socket that fails to close is no longer usable anyway.
        }
    }

    @Override
    public void run() {
        state.log("* " + peer);
        try {
            if (script.implicitTls()) {
                connection.startTls(script.tls());
            }
            serve();
        } catch (IOException e) {
            state.log("* " + peer + " ended: " + e);
        } finally {
            abort();
            state.log("* " + peer + " closed");
        }
    }

    private void serve() throws IOException {
        if (script.policy(state) == SocketPolicy.NEVER_GREET) {
            connection.drain();
            return;
        }
        Reply greeting = script.reply(SmtpStage.GREETING, Reply.of(220, script.hostname() + " ESMTP directmx sandbox"));
        send(SmtpStage.GREETING, greeting);
        if (script.policy(state) == SocketPolicy.DISCONNECT_AFTER_GREETING) {
            connection.hangUp();
            return;
        }
        // RFC 5321 §3.1: after a 554 greeting the server answers every command but QUIT with 503.
        serviceRefused = greeting.code() != 220;
        while (connection.open()) {
            SmtpInput.Line line = readCommandLine();
            if (line == null) {
                return;
            }
            handle(line);
        }
    }

    private SmtpInput.Line readCommandLine() throws IOException {
        try {
            return connection.input().readLine(MAX_COMMAND_OCTETS);
        } catch (SocketTimeoutException e) {
            // RFC 5321 §4.5.3.2.7: a server may end an idle session, and 421 tells the client why.
            connection.write(Reply.of(421, "4.4.2 " + script.hostname() + " idle timeout, closing connection"));
            return null;
        }
    }

    private void handle(SmtpInput.Line line) throws IOException {
        if (line.tooLong()) {
            state.log("C: [command line of " + line.octets() + " octets]");
            connection.write(Reply.of(500, "5.5.6 line too long"));
            return;
        }
        String text = new String(line.bytes(), StandardCharsets.UTF_8);
        state.log("C: " + text);
        String[] words = text.split(" ", 2);
        String verb = words[0].toUpperCase(Locale.ROOT);
        String argument = words.length > 1 ? words[1].trim() : "";
        if (serviceRefused && !verb.equals("QUIT")) {
            connection.write(Reply.of(503, "5.5.1 no SMTP service here"));
            return;
        }
        dispatch(verb, argument);
    }

    private void dispatch(String verb, String argument) throws IOException {
        switch (verb) {
            case "EHLO" -> ehlo(argument);
            case "HELO" -> helo(argument);
            case "STARTTLS" -> startTls(argument);
            case "MAIL" -> send(SmtpStage.MAIL, transactions.mail(argument, greeted));
            case "RCPT" -> send(SmtpStage.RCPT, transactions.rcpt(argument));
            case "DATA" -> transactions.data(usedHelo);
            case "BDAT" -> transactions.bdat(argument, usedHelo);
            case "RSET" -> rset();
            case "NOOP" -> connection.write(Reply.of(250, "2.0.0 OK"));
            case "QUIT" -> quit();
            default -> connection.write(Reply.of(500, "5.5.2 command not recognized"));
        }
    }

    private void ehlo(String domain) throws IOException {
        if (domain.isEmpty()) {
            send(SmtpStage.EHLO, Reply.of(501, "5.5.4 syntax: EHLO domain"));
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add(script.hostname());
        lines.addAll(script.advertised(connection.inTls()));
        Reply reply = script.reply(SmtpStage.EHLO, new Reply(250, lines));
        greet(reply, false);
        send(SmtpStage.EHLO, reply);
    }

    private void helo(String domain) throws IOException {
        if (domain.isEmpty()) {
            send(SmtpStage.HELO, Reply.of(501, "5.5.4 syntax: HELO domain"));
            return;
        }
        Reply reply = script.reply(SmtpStage.HELO, Reply.of(250, script.hostname()));
        greet(reply, true);
        send(SmtpStage.HELO, reply);
    }

    // RFC 5321 §4.1.4: a successful EHLO or HELO also clears any transaction, like RSET.
    private void greet(Reply reply, boolean helo) {
        if (reply.positive()) {
            greeted = true;
            usedHelo = helo;
            transactions.reset();
        }
    }

    private void startTls(String argument) throws IOException {
        Reply reply;
        if (connection.inTls()) {
            reply = Reply.of(503, "5.5.1 TLS already active");
        } else if (!script.advertises("STARTTLS", false)) {
            reply = Reply.of(502, "5.5.1 STARTTLS not offered");
        } else if (!argument.isEmpty()) {
            reply = Reply.of(501, "5.5.4 syntax: STARTTLS takes no parameters");
        } else {
            reply = script.reply(SmtpStage.STARTTLS, Reply.of(220, "2.0.0 Ready to start TLS"));
        }
        send(SmtpStage.STARTTLS, reply);
        if (reply.code() == 220) {
            upgrade();
        }
    }

    private void upgrade() throws IOException {
        if (script.policy(state) == SocketPolicy.FAIL_STARTTLS_HANDSHAKE && state.claimStartTlsFailure()) {
            connection.breakTlsHandshake();
            return;
        }
        connection.startTls(script.tls());
        // RFC 3207 §4.2: the server forgets everything it learnt before TLS; the client greets again.
        greeted = false;
        usedHelo = false;
        transactions.reset();
    }

    private void rset() throws IOException {
        transactions.reset();
        send(SmtpStage.RSET, script.reply(SmtpStage.RSET, Reply.of(250, "2.0.0 OK")));
    }

    private void quit() throws IOException {
        Reply standard = Reply.of(221, "2.0.0 " + script.hostname() + " closing connection");
        send(SmtpStage.QUIT, script.reply(SmtpStage.QUIT, standard));
        connection.end();
    }

    private void send(SmtpStage stage, Reply reply) throws IOException {
        connection.pause(script.delay(stage));
        connection.write(reply);
    }
}
