package dev.directmx.store;

import java.time.Instant;
import java.util.List;

/**
 * One recipient's record.
 *
 * @param lastAttempt the latest attempt, or null before the first
 * @param history the most recent attempts, oldest first, at most {@link #HISTORY_LIMIT}
 * @param deliveredAt when it was delivered, or null
 * @param firstFailedAt when a server first refused it with 5xx, or null: the start of the 5xx retry window
 * @param finalOutcome true once delivered or failed for good
 */
public record StoredRecipient(String address, RecipientStatus status, int attempts, Attempt lastAttempt,
        List<Attempt> history, Instant deliveredAt, Instant firstFailedAt, boolean finalOutcome) {

    /** Attempts kept per recipient: enough to read a retry story, small enough for one item. */
    public static final int HISTORY_LIMIT = 10;

    public StoredRecipient {
        history = List.copyOf(history);
    }
}
