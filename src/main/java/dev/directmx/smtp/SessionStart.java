package dev.directmx.smtp;

import java.time.Instant;

/**
 * Opens a session up to the point where a transaction can begin: connect, the 220 greeting,
 * EHLO (or HELO), STARTTLS as the policy says and the second EHLO. What it produces is an
 * {@link OpenSession}, which the connection pool may keep for later transactions, or the reply
 * that refused the session. One instance per connection attempt.
 */
final class SessionStart {

    /** How an attempt to open a session ended, short of a transport failure (thrown). */
    sealed interface Outcome {
        /** The session is ready for MAIL FROM. */
        record Ready(OpenSession session) implements Outcome {
        }

        /**
         * The server (or a local rule such as required TLS) refused the session; QUIT has been
         * said and the connection closed.
         */
        record Refused(SmtpReply reply, TlsInfo tls, Capabilities capabilities) implements Outcome {
        }
    }

    private final SmtpClient.Settings settings;
    private final SmtpTarget target;
    private final Transcript transcript;
    private SmtpConnection connection;
    private Capabilities capabilities = Capabilities.none();

    SessionStart(SmtpClient.Settings settings, SmtpTarget target, Transcript transcript) {
        this.settings = settings;
        this.target = target;
        this.transcript = transcript;
    }

    /**
     * @throws TlsHandshakeException when the TLS handshake failed (the caller may retry in plaintext)
     * @throws SmtpIoException on any other transport failure, timeout or deadline
     */
    Outcome open(StartTls startTls, Deadline deadline) throws SmtpIoException {
        Instant opened = settings.clock().instant();
        connection = SmtpConnection.open(target.address(), target.hostName(), target.tlsMode(), settings.sockets(),
                settings.tls(), settings.timeouts(), deadline, transcript);
        OpenSession session = null;
        try {
            // RFC 5321 §3.1: the session opens with the server's 220 greeting; anything else refuses it.
            SmtpReply greeting = connection.readReply("connect", settings.timeouts().greeting());
            if (greeting.code() != SmtpCodes.C220_READY) {
                throw new Refusal(greeting);
            }
            hello();
            secure(startTls);
            session = new OpenSession(connection, target, capabilities, settings.timeouts(), opened);
            return new Outcome.Ready(session);
        } catch (Refusal refusal) {
            new OpenSession(connection, target, capabilities, settings.timeouts(), opened).quit();
            return new Outcome.Refused(refusal.reply(), connection.tls(), capabilities);
        } finally {
            if (session == null) {
                // A transport failure: the connection is of no further use (closing twice is harmless).
                connection.close();
            }
        }
    }

    /** EHLO, and HELO when the server refuses EHLO with a 5xx (RFC 5321 §4.1.4, §3.2). */
    private void hello() throws SmtpIoException, Refusal {
        connection.send("EHLO " + settings.heloName());
        connection.flush("EHLO");
        SmtpReply ehlo = connection.readReply("EHLO", settings.timeouts().command());
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
        SmtpReply helo = connection.readReply("HELO", settings.timeouts().command());
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
        SmtpReply reply = connection.readReply("STARTTLS", settings.timeouts().command());
        if (reply.code() != SmtpCodes.C220_READY) {
            if (startTls == StartTls.REQUIRED || reply.code() == SmtpCodes.C421_SERVICE_UNAVAILABLE) {
                throw new Refusal(reply);
            }
            transcript.event("STARTTLS refused; continuing without TLS");
            return;
        }
        connection.startTls(settings.timeouts().command());
        hello();
    }
}
