package dev.directmx.delivery;

import dev.directmx.dkim.Signing;
import java.time.Duration;
import java.util.List;

/**
 * Everything one delivery run of one message produced: an outcome per recipient, in the order
 * the message lists them, every session tried, and whether it was DKIM-signed.
 */
public record DeliveryReport(String messageId, List<RecipientOutcome> recipients, List<SessionLog> sessions,
        List<String> notes, Signing dkim, Duration elapsed) {

    public DeliveryReport {
        recipients = List.copyOf(recipients);
        sessions = List.copyOf(sessions);
        notes = List.copyOf(notes);
    }

    public boolean allDelivered() {
        return recipients.stream().allMatch(r -> r instanceof RecipientOutcome.Delivered);
    }

    public boolean anyDeferred() {
        return recipients.stream().anyMatch(r -> r instanceof RecipientOutcome.Deferred);
    }

    public boolean anyFailed() {
        return recipients.stream().anyMatch(r -> r instanceof RecipientOutcome.Failed);
    }
}
