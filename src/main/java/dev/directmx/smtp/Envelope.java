package dev.directmx.smtp;

import java.util.List;

/**
 * One SMTP transaction's envelope (RFC 5321 §2.3.1): the reverse-path, the forward-paths and the
 * data.
 *
 * @param mailFrom the reverse-path address without angle brackets; empty for a null sender
 * @param recipients forward-path addresses in the order they are sent
 */
public record Envelope(String mailFrom, List<String> recipients, MessageData data) {
    public Envelope {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an SMTP transaction needs at least one recipient");
        }
    }
}
