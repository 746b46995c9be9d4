package dev.directmx.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Where delivery outcomes live: one record per message and one per recipient. SQS delivers a
 * message at least once, sometimes twice at the same moment, so every write that could send
 * mail twice is conditional: a recipient is {@link #claim claimed} before a delivery attempt,
 * and a recipient recorded as delivered is never claimed again.
 *
 * <p>Implementations: {@code DynamoOutcomeStore} (AWS, dynalite) and {@code SqliteOutcomeStore}
 * (embedded, local runs). Both pass {@code OutcomeStoreContract}. No transactions: each decision
 * rests on one conditional write to one record, because dynalite has no transactions.
 */
public interface OutcomeStore extends AutoCloseable {

    /**
     * Records a message the first time it is seen (its recipients {@code PENDING}) and returns
     * what is stored, recipients included. Seeing it again changes nothing and returns the stored
     * state: this is how a redelivery learns who already has the message.
     */
    default StoredMessage open(NewMessage message, Instant now) {
        return open(message, null, now).message();
    }

    /**
     * As {@link #open(NewMessage, Instant)}, creating the recipient records it has to create
     * already claimed under {@code lease} (when not null), and saying which those are. The common
     * case, a message seen for the first time, then needs no separate {@link #claim}.
     */
    Opened open(NewMessage message, Lease lease, Instant now);

    /**
     * Takes {@code recipient} for one delivery attempt by {@code owner} until {@code leaseUntil}.
     * Refused (false) when the recipient is delivered, finally failed, or leased by another owner
     * whose lease has not run out at {@code now}.
     */
    boolean claim(String key, String recipient, String owner, Instant leaseUntil, Instant now);

    /**
     * Stores one attempt's outcome for a recipient {@code owner} claimed, appends it to the
     * recipient's short history, adds one to its attempts, and releases the lease. A recipient
     * already {@code DELIVERED} is never changed (the write is conditional); returns false then.
     */
    boolean recordAttempt(String key, String recipient, String owner, Attempt attempt);

    /**
     * As {@link #recordAttempt(String, String, String, Attempt)}, for a caller that holds the
     * recipient's record as it was when claimed ({@code known}, from {@link #open}). A store may
     * write on condition that the record is still {@code known} and read it only when it is not,
     * which saves a read per recipient; the outcome is the same either way.
     */
    default boolean recordAttempt(String key, StoredRecipient known, String owner, Attempt attempt) {
        return recordAttempt(key, known.address(), owner, attempt);
    }

    /** Sets the message record's status and adds one to its attempts. */
    void finishMessage(String key, MessageStatus status, Instant now);

    /**
     * Records a message that could not be accepted (bad JSON, bad address, header injection, too
     * large) under {@code key}, with the error and the start of the body. Idempotent.
     */
    void reject(String key, String error, String bodyExcerpt, Instant now);

    /** The stored message with its recipients, or empty. */
    Optional<StoredMessage> find(String key);

    @Override
    void close();
}
