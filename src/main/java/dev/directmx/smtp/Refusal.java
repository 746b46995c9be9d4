package dev.directmx.smtp;

/**
 * A reply, or a local decision, that ends the session or the transaction for every recipient:
 * a refused greeting, EHLO or MAIL, TLS required but not offered, a message the server cannot
 * take. Internal control flow between the steps of {@link SmtpClient}; never leaves the package.
 */
final class Refusal extends Exception {
    private final SmtpReply reply;

    Refusal(SmtpReply reply) {
        super(reply.toString(), null, false, false);
        this.reply = reply;
    }

    SmtpReply reply() {
        return reply;
    }
}
