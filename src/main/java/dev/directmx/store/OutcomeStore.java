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
 * (embedded, local runs). Both pass {@code OutcomeStoreContract}. No transactions: each method
 * is one conditional write or one read, because dynalite has no transactions.
 */
public interface OutcomeStore extends AutoCloseable {

    /**
     * Records a message the first time it is seen (its recipients {@code PENDING}) and returns
     * what is stored, recipients included. Seeing it again changes nothing and returns the stored
     * state: this is how a redelivery learns who already has the message.
     */
    StoredMessage open(NewMessage message, Instant now);

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
