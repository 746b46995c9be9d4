package dev.directmx.store;

import java.time.Instant;
import java.util.List;

/**
 * A message's record with its recipients' records.
 *
 * @param error why the message was rejected, or null
 * @param bodyExcerpt the start of a rejected body, or null
 */
public record StoredMessage(String key, String messageId, String sender, String subject, MessageStatus status,
        int attempts, Instant firstSeen, Instant updatedAt, Instant expiresAt, String error, String bodyExcerpt,
        List<StoredRecipient> recipients) {

    public StoredMessage {
        recipients = List.copyOf(recipients);
    }
}
