package dev.directmx.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The decisions both stores share, as pure functions, so that DynamoDB and SQLite cannot drift
 * apart: what one attempt does to a recipient's record, when a write must be refused, and how
 * long a rejected message's record is kept. The stores only translate these into their own
 * conditional writes.
 */
final class StoreRules {

    /**
     * How long a rejected message's record is kept when nobody says otherwise: 14 days, the
     * longest an SQS queue (the dead-letter queue included) retains a message. The record that
     * says why a body was rejected lives as long as the body can.
     */
    static final Duration REJECTED_RETENTION = Duration.ofDays(14);

    /**
     * How many times a store re-reads and retries an attempt's write that lost a race. Two writers
     * meet on one recipient only when a lease ran out during an attempt, so a conflict is rare;
     * each retry means another writer succeeded, so five tries cover five concurrent writers.
     * More would hide a bug.
     */
    static final int MAX_WRITE_TRIES = 5;

    private StoreRules() {
    }

    /**
     * Whether {@code attempt} may be written over {@code current}. A delivered recipient never
     * changes: a redelivery must not make it look undelivered. A final failure changes only to
     * delivered: a stale lease holder's deferral must not reopen it for retries, but a delivery
     * that really happened is recorded.
     */
    static boolean mayRecord(StoredRecipient current, Attempt attempt) {
        if (current.status() == RecipientStatus.DELIVERED) {
            return false;
        }
        return !current.finalOutcome() || attempt.status() == RecipientStatus.DELIVERED;
    }

    /** The recipient's record after {@code attempt}: its status, one more attempt, the history. */
    static StoredRecipient afterAttempt(StoredRecipient current, Attempt attempt) {
        boolean delivered = attempt.status() == RecipientStatus.DELIVERED;
        // The 5xx retry window starts at the first refusal and must not restart with later ones.
        boolean firstFailure = current.firstFailedAt() == null && attempt.status() == RecipientStatus.FAILED;
        return new StoredRecipient(current.address(), attempt.status(), current.attempts() + 1, attempt,
                appendCapped(current.history(), attempt),
                delivered ? attempt.at() : current.deliveredAt(),
                firstFailure ? attempt.at() : current.firstFailedAt(),
                attempt.finalOutcome() || delivered);
    }

    /** {@code history} plus {@code attempt}, oldest first, keeping the last {@link StoredRecipient#HISTORY_LIMIT}. */
    static List<Attempt> appendCapped(List<Attempt> history, Attempt attempt) {
        List<Attempt> longer = new ArrayList<>(history);
        longer.add(attempt);
        int from = Math.max(0, longer.size() - StoredRecipient.HISTORY_LIMIT);
        return List.copyOf(longer.subList(from, longer.size()));
    }

    /**
     * The recipients in the order given, each once: one address has one record, so a message
     * naming an address twice still gets one delivery there.
     */
    static List<String> distinct(List<String> recipients) {
        return List.copyOf(new LinkedHashSet<>(recipients));
    }

    /** A recipient's record before any attempt. */
    static StoredRecipient pending(String address) {
        return new StoredRecipient(address, RecipientStatus.PENDING, 0, null, List.of(), null, null, false);
    }
}
