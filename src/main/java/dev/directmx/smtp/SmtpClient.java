package dev.directmx.smtp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * directmx's SMTP client: one session per call, from the greeting to QUIT, for one transaction.
 * It speaks RFC 5321 with the extensions an MX delivery needs: STARTTLS (RFC 3207), PIPELINING
 * (RFC 2920), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), SIZE (RFC 1870), CHUNKING (RFC 3030)
 * and enhanced status codes (RFC 2034). Stateless and thread-safe; share one instance.
 */
public final class SmtpClient {

    /** BDAT chunk size: large enough to be efficient, small enough that each chunk's reply bounds a stall. */
    static final int BDAT_CHUNK = 1024 * 1024;
    /** Body octets written per block, each under the data-block timeout (RFC 5321 §4.5.3.2.5). */
    private static final int DATA_BLOCK = 64 * 1024;

    /**
     * @param heloName the name this client gives in EHLO/HELO (RFC 5321 §4.1.1.1: the client's FQDN)
     * @param timeouts per-stage timeouts
     * @param sockets creates plain sockets (a seam for tests and for binding a source address)
     * @param tls creates TLS sockets layered over them
     */
    public record Settings(String heloName, SmtpTimeouts timeouts, SocketFactory sockets, SSLSocketFactory tls) {
        public Settings {
            Objects.requireNonNull(heloName, "heloName");
            Objects.requireNonNull(timeouts, "timeouts");
            Objects.requireNonNull(sockets, "sockets");
            Objects.requireNonNull(tls, "tls");
        }

        public static Settings defaults(String heloName) {
            return new Settings(heloName, SmtpTimeouts.defaults(), SocketFactory.getDefault(), OpportunisticTls.socketFactory());
        }
    }

    private final Settings settings;

    public SmtpClient(Settings settings) {
        this.settings = settings;
    }

    /**
     * Runs one session against {@code target}: greeting, EHLO (or HELO), STARTTLS as
     * {@code startTls} says, the transaction for {@code envelope}, QUIT.
     *
     * @return a reply for every recipient
     * @throws TlsHandshakeException when the TLS handshake failed (the caller may retry in plaintext)
     * @throws SmtpIoException on any other transport failure, timeout or deadline
     */
    public SessionResult deliver(SmtpTarget target, Envelope envelope, StartTls startTls, Deadline deadline,
            Transcript transcript) throws SmtpIoException {
        try (SmtpConnection connection = SmtpConnection.open(target.address(), target.hostName(), target.tlsMode(),
                settings.sockets(), settings.tls(), settings.timeouts(), deadline, transcript)) {
            Session session = new Session(connection, target, envelope, transcript);
            return session.run(startTls);
        }
    }

    /** The state of one session. */
    private final class Session {
        private final SmtpConnection connection;
        private final SmtpTarget target;
        private final Envelope envelope;
        private final Transcript transcript;
        private final SmtpTimeouts timeouts = settings.timeouts();
        private Capabilities capabilities = Capabilities.none();

        Session(SmtpConnection connection, SmtpTarget target, Envelope envelope, Transcript transcript) {
            this.connection = connection;
            this.target = target;
            this.envelope = envelope;
            this.transcript = transcript;
        }

        SessionResult run(StartTls startTls) throws SmtpIoException {
            try {
                // RFC 5321 §3.1: the session opens with the server's 220 greeting; anything else refuses it.
                SmtpReply greeting = connection.readReply("connect", timeouts.greeting());
                if (greeting.code() != SmtpCodes.C220_READY) {
                    throw new Refusal(greeting);
                }
                hello();
                secure(startTls);
                Body body = chooseBody();
                List<RecipientReply> replies = transaction(body);
                quit();
                return new SessionResult(replies, connection.tls(), capabilities);
            } catch (Refusal refusal) {
                quit();
                List<RecipientReply> replies = new ArrayList<>();
                for (String recipient : envelope.recipients()) {
                    replies.add(new RecipientReply(recipient, refusal.reply));
                }
                return new SessionResult(replies, connection.tls(), capabilities);
            }
        }

        /** EHLO, and HELO when the server refuses EHLO with a 5xx (RFC 5321 §4.1.4, §3.2). */
        private void hello() throws SmtpIoException, Refusal {
            connection.send("EHLO " + settings.heloName());
            connection.flush("EHLO");
            SmtpReply ehlo = connection.readReply("EHLO", timeouts.command());
            if (ehlo.isPositive()) {
                capabilities = Capabilities.fromEhlo(ehlo);
                return;
            }
            if (!ehlo.isPermanent()) {
                throw new Refusal(ehlo);
            }
            transcript.event("EHLO refused; falling back to HELO (no extensions)");
            connection.send("HELO " + settings.heloName());
            connection.flush("HELO");
            SmtpReply helo = connection.readReply("HELO", timeouts.command());
            if (!helo.isPositive()) {
                throw new Refusal(helo);
            }
            capabilities = Capabilities.none();
        }

        /** STARTTLS and the second EHLO (RFC 3207 §4.2: forget what was learnt before TLS). */
        private void secure(StartTls startTls) throws SmtpIoException, Refusal {
            if (target.tlsMode() == TlsMode.IMPLICIT || startTls == StartTls.NEVER) {
                return;
            }
            if (!capabilities.has(Capabilities.STARTTLS)) {
                if (startTls == StartTls.REQUIRED) {
                    throw new Refusal(SmtpReply.local(454, "4.7.4", "STARTTLS",
                            "TLS is required for this destination, but " + target.hostName() + " does not offer STARTTLS"));
                }
                return;
            }
            connection.send("STARTTLS");
            connection.flush("STARTTLS");
            SmtpReply reply = connection.readReply("STARTTLS", timeouts.command());
            if (reply.code() != SmtpCodes.C220_READY) {
                if (startTls == StartTls.REQUIRED || reply.code() == SmtpCodes.C421_SERVICE_UNAVAILABLE) {
                    throw new Refusal(reply);
                }
                transcript.event("STARTTLS refused; continuing without TLS");
                return;
            }
            connection.startTls(timeouts.command());
            hello();
        }

        /** The octets to send: 8-bit as composed, or re-encoded when the server lacks 8BITMIME. */
        private Body chooseBody() throws Refusal {
            MessageData data = envelope.data();
            // RFC 6531 §3.4: UTF-8 addresses or headers may only go to a server that offers SMTPUTF8.
            if (data.needsSmtpUtf8() && !capabilities.has(Capabilities.SMTPUTF8)) {
                throw new Refusal(SmtpReply.local(SmtpCodes.C553_MAILBOX_NAME, "5.6.7", "MAIL",
                        "the message has UTF-8 addresses and needs SMTPUTF8 (RFC 6531), which " + target.hostName()
                                + " does not offer"));
            }
            Body body = new Body(data.bytes(), data.eightBit());
            if (data.eightBit() && !capabilities.has(Capabilities.EIGHT_BIT_MIME)) {
                // RFC 6152 §3: 8-bit data may only be sent to a server that announced 8BITMIME.
                body = new Body(data.sevenBit().get(), false);
                transcript.event("server lacks 8BITMIME: body re-encoded to 7-bit (" + body.octets().length + " octets)");
            }
            long limit = capabilities.sizeLimit().orElse(Long.MAX_VALUE);
            if (body.octets().length > limit) {
                // RFC 1870 §6: a message over the announced SIZE would be refused anyway.
                throw new Refusal(SmtpReply.local(SmtpCodes.C552_STORAGE_EXCEEDED, "5.3.4", "MAIL",
                        "the message is " + body.octets().length + " octets, over the " + limit + " octets "
                                + target.hostName() + " accepts (SIZE)"));
            }
            return body;
        }

        private String mailCommand(Body body) {
            StringBuilder mail = new StringBuilder("MAIL FROM:<").append(envelope.mailFrom()).append('>');
            if (body.eightBit()) {
                mail.append(" BODY=8BITMIME");
            }
            if (envelope.data().needsSmtpUtf8()) {
                mail.append(" SMTPUTF8");
            }
            if (capabilities.has(Capabilities.SIZE)) {
                mail.append(" SIZE=").append(body.octets().length);
            }
            return mail.toString();
        }

        private List<RecipientReply> transaction(Body body) throws SmtpIoException, Refusal {
            boolean pipelining = capabilities.has(Capabilities.PIPELINING);
            boolean chunking = capabilities.has(Capabilities.CHUNKING);
            Map<String, SmtpReply> rcptReplies = new LinkedHashMap<>();

            // RFC 2920 §3.1: MAIL, the RCPTs and DATA may be sent as one group; replies come in order.
            connection.send(mailCommand(body));
            if (!pipelining) {
                connection.flush("MAIL");
                SmtpReply mail = connection.readReply("MAIL", timeouts.mail());
                if (!mail.isPositive()) {
                    throw new Refusal(mail);
                }
            }
            for (String recipient : envelope.recipients()) {
                connection.send("RCPT TO:<" + recipient + ">");
                if (!pipelining) {
                    connection.flush("RCPT");
                    rcptReplies.put(recipient, connection.readReply("RCPT", timeouts.rcpt()));
                }
            }
            boolean dataSent = pipelining && !chunking;
            if (dataSent) {
                connection.send("DATA");
            }
            if (pipelining) {
                connection.flush("MAIL");
                SmtpReply mail = connection.readReply("MAIL", timeouts.mail());
                for (String recipient : envelope.recipients()) {
                    rcptReplies.put(recipient, connection.readReply("RCPT", timeouts.rcpt()));
                }
                if (!mail.isPositive()) {
                    if (dataSent) {
                        abandonData(connection.readReply("DATA", timeouts.dataInit()));
                    }
                    throw new Refusal(mail);
                }
            }
            List<String> accepted = rcptReplies.entrySet().stream()
                    .filter(e -> e.getValue().isPositive()).map(Map.Entry::getKey).toList();
            SmtpReply finalReply = null;
            if (accepted.isEmpty()) {
                if (dataSent) {
                    abandonData(connection.readReply("DATA", timeouts.dataInit()));
                }
            } else if (chunking) {
                finalReply = sendBdat(body.octets());
            } else {
                finalReply = sendData(body.octets(), dataSent);
            }
            List<RecipientReply> replies = new ArrayList<>();
            for (String recipient : envelope.recipients()) {
                SmtpReply rcpt = rcptReplies.get(recipient);
                replies.add(new RecipientReply(recipient, rcpt.isPositive() ? finalReply : rcpt));
            }
            return replies;
        }

        /**
         * A pipelined DATA after every RCPT failed should get 503 or 554 (RFC 2920 §3.1). A server
         * that says 354 anyway gets an empty message ended at once, which it must then refuse.
         */
        private void abandonData(SmtpReply dataReply) throws SmtpIoException {
            if (dataReply.code() == SmtpCodes.C354_START_INPUT) {
                connection.send(".");
                connection.flush("DATA");
                connection.readReply("DATA", timeouts.dataTermination());
            }
        }

        private SmtpReply sendData(byte[] body, boolean dataAlreadySent) throws SmtpIoException {
            if (!dataAlreadySent) {
                connection.send("DATA");
                connection.flush("DATA");
            }
            SmtpReply go = connection.readReply("DATA", timeouts.dataInit());
            if (go.code() != SmtpCodes.C354_START_INPUT) {
                return go;
            }
            byte[] wire = DotStuffing.forData(body);
            transcript.client("<message: " + body.length + " octets, dot-stuffed, ending with CRLF.CRLF>");
            for (int offset = 0; offset < wire.length; offset += DATA_BLOCK) {
                connection.sendBody(wire, offset, Math.min(DATA_BLOCK, wire.length - offset), "DATA", timeouts.dataBlock());
            }
            connection.flush("DATA");
            // RFC 5321 §4.5.3.2.6: the server may take a long time to answer the final dot.
            return connection.readReply("end of data", timeouts.dataTermination());
        }

        /** RFC 3030 §2: BDAT sends the message in counted chunks, the last marked LAST; no dot-stuffing. */
        private SmtpReply sendBdat(byte[] body) throws SmtpIoException {
            byte[] wire = DotStuffing.canonical(body);
            int offset = 0;
            do {
                int length = Math.min(BDAT_CHUNK, wire.length - offset);
                boolean last = offset + length >= wire.length;
                connection.send("BDAT " + length + (last ? " LAST" : ""));
                transcript.client("<message chunk: " + length + " octets>");
                connection.sendBody(wire, offset, length, "BDAT", timeouts.dataBlock());
                connection.flush("BDAT");
                SmtpReply reply = connection.readReply(last ? "end of data" : "BDAT",
                        last ? timeouts.dataTermination() : timeouts.dataBlock());
                if (last || !reply.isPositive()) {
                    return reply;
                }
                offset += length;
            } while (true);
        }

        /** QUIT politely; the transaction's outcome is already known, so failures here change nothing. */
        private void quit() {
            try {
                connection.send("QUIT");
                connection.flush("QUIT");
                connection.readReply("QUIT", timeouts.command().compareTo(java.time.Duration.ofSeconds(5)) < 0
                        ? timeouts.command() : java.time.Duration.ofSeconds(5));
            } catch (SmtpIoException ignored) {
                // Already recorded in the transcript by the connection.
            }
        }
    }

    /** The octets a session sends, and whether they are 8-bit (and so need BODY=8BITMIME). */
    private record Body(byte[] octets, boolean eightBit) {
    }

    /** A reply (or a local decision) that ends the session for every recipient. Internal control flow. */
    private static final class Refusal extends Exception {
        private final SmtpReply reply;

        Refusal(SmtpReply reply) {
            super(reply.toString(), null, false, false);
            this.reply = reply;
        }
    }
}
