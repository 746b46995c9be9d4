package dev.directmx.smtp;

/**
 * The reply that decided one recipient's fate in a session: its RCPT reply when that was
 * negative, otherwise the reply that ended the transaction (after the data, or the refusal of
 * MAIL, DATA or the connection itself).
 */
public record RecipientReply(String recipient, SmtpReply reply) {
}
