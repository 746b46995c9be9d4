package dev.directmx.smtp;

/**
 * A reused connection turned out to be dead before the server accepted anything of the
 * transaction: the write failed, the stream ended or was reset before the reply to MAIL, or
 * that reply was a 421 (an idle session the server had already closed). Nothing can have been
 * delivered, since no message octet had been sent, so {@link SmtpClient} retries the
 * transaction once on a new connection, and the delivery layer never sees this.
 */
final class StaleConnection extends Exception {
    StaleConnection(String message) {
        super(message, null, false, false);
    }
}
