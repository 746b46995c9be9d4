package dev.directmx.store;

import java.time.Instant;
import java.util.List;

/**
 * A message as first seen.
 *
 * @param key the store key: the client's {@code id} when given, otherwise the Message-ID
 * @param messageId the Message-ID header value
 * @param sender the From address
 * @param subject the subject (may be empty)
 * @param recipients every envelope recipient, as written in the message
 * @param expiresAt when the records may be deleted (the TTL attribute)
 */
public record NewMessage(String key, String messageId, String sender, String subject, List<String> recipients,
        Instant expiresAt) {
    public NewMessage {
        recipients = List.copyOf(recipients);
    }
}
