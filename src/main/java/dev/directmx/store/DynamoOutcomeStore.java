package dev.directmx.store;

import static dev.directmx.store.DynamoItems.ATTEMPTS;
import static dev.directmx.store.DynamoItems.DELIVERED_AT;
import static dev.directmx.store.DynamoItems.EXPIRES_AT;
import static dev.directmx.store.DynamoItems.FINAL_OUTCOME;
import static dev.directmx.store.DynamoItems.FIRST_FAILED_AT;
import static dev.directmx.store.DynamoItems.HISTORY;
import static dev.directmx.store.DynamoItems.LAST_ATTEMPT;
import static dev.directmx.store.DynamoItems.LEASE_OWNER;
import static dev.directmx.store.DynamoItems.LEASE_UNTIL;
import static dev.directmx.store.DynamoItems.MESSAGE_SK;
import static dev.directmx.store.DynamoItems.PK;
import static dev.directmx.store.DynamoItems.SK;
import static dev.directmx.store.DynamoItems.STATUS;
import static dev.directmx.store.DynamoItems.UPDATED_AT;
import static dev.directmx.store.DynamoItems.n;
import static dev.directmx.store.DynamoItems.s;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The outcome store on DynamoDB: one table, one item per message and one per recipient (layout in
 * {@link DynamoItems}), every write a single conditional {@code PutItem} or {@code UpdateItem}.
 * No transactions, because dynalite (the tests' DynamoDB) has none and because none is needed:
 * each decision that could send mail twice rests on one item's condition.
 *
 * <p>Needs {@code dynamodb:Query}, {@code GetItem}, {@code PutItem} and {@code UpdateItem} on the
 * table; {@link #createTable} also needs {@code CreateTable} and {@code DescribeTable}. The
 * calls go through {@link DynamoApi}. Errors other than a failed condition propagate as the
 * SDK's exceptions: the caller treats them as transient.
 *
 * <p>Lifecycle: one instance per process (a Lambda container), shared by concurrent threads; it
 * holds no state beyond its client. {@link #close} closes the client only when
 * {@link #fromEnvironment} built it.
 */
public final class DynamoOutcomeStore implements OutcomeStore {

    private final DynamoApi client;
    private final String table;
    private final Duration rejectedRetention;
    private final boolean ownsClient;

    /**
     * A store on {@code table} through {@code client}, which stays the caller's to close. Rejected
     * messages are kept 14 days ({@code StoreRules.REJECTED_RETENTION}).
     */
    public DynamoOutcomeStore(DynamoApi client, String table) {
        this(client, table, StoreRules.REJECTED_RETENTION, false);
    }

    /** As {@link #DynamoOutcomeStore(DynamoApi, String)}, keeping rejected messages {@code rejectedRetention}. */
    public DynamoOutcomeStore(DynamoApi client, String table, Duration rejectedRetention) {
        this(client, table, rejectedRetention, false);
    }

    private DynamoOutcomeStore(DynamoApi client, String table, Duration rejectedRetention, boolean ownsClient) {
        this.client = Objects.requireNonNull(client, "client");
        this.table = Objects.requireNonNull(table, "table");
        this.rejectedRetention = Objects.requireNonNull(rejectedRetention, "rejectedRetention");
        if (rejectedRetention.isNegative() || rejectedRetention.isZero()) {
            throw new IllegalArgumentException("the retention of rejected messages must be positive");
        }
        this.ownsClient = ownsClient;
    }

    /**
     * A store on {@code table} with a client configured the standard AWS way ({@link
     * DynamoApi#fromEnvironment}): credentials and region from the default chains (region {@code
     * us-east-1} when none is configured), and the endpoint from {@code AWS_ENDPOINT_URL_DYNAMODB}
     * or {@code AWS_ENDPOINT_URL} when set (this is how a local run points at dynalite).
     */
    public static DynamoOutcomeStore fromEnvironment(String table) {
        return new DynamoOutcomeStore(DynamoApi.fromEnvironment(), table, StoreRules.REJECTED_RETENTION, true);
    }

    /**
     * Creates the table (on-demand capacity) and waits until it is active; a table that already
     * exists is left as it is. For local runs and tests only: in AWS the SAM template creates
     * the table, with the TTL on {@code expiresAt} that dynalite cannot set.
     */
    public static void createTable(DynamoApi client, String table) {
        DynamoTables.create(client, table);
    }

    /**
     * The message item first, put only if absent; when that put fails the message is known and
     * one consistent {@code Query} reads it. Then one item per recipient that is still missing,
     * each put only if absent (several at once) and carrying {@code lease}. A new message thus
     * costs its puts and no read: what was written is what is returned. Only when a recipient's
     * put fails (a concurrent open made it) is the message read again. Without transactions a
     * crash can fall between those puts: the next open finds the message item and puts the
     * recipient items it names that are still missing, so the state converges.
     */
    @Override
    public Opened open(NewMessage message, Lease lease, Instant now) {
        Map<String, DynamoValue> created = DynamoItems.messageItem(message, StoreRules.distinct(message.recipients()),
                now);
        // A concurrent open may win this put; either way the stored message is the one to use.
        Items items = putIfAbsent(created) ? new Items(created, Map.of()) : load(message.key());
        if (items.message() == null) {
            throw new IllegalStateException("message " + message.key() + " vanished while it was opened");
        }
        // The stored message's list decides, not this call's: a redelivery cannot add recipients.
        List<String> missing = items.missingRecipients();
        if (missing.isEmpty()) {
            return new Opened(items.toStored(), Set.of());
        }
        DynamoValue expiresAt = items.message().get(EXPIRES_AT);
        Map<String, Map<String, DynamoValue>> recipients = new LinkedHashMap<>(items.recipients());
        Set<String> leased = new HashSet<>();
        boolean allPut = true;
        for (PutResult put : putAllIfAbsent(missing.stream()
                .map(address -> DynamoItems.recipientItem(message.key(), address, expiresAt, lease)).toList())) {
            String address = put.item().get(DynamoItems.ADDRESS).s();
            if (put.written()) {
                recipients.put(address, put.item());
                if (lease != null) {
                    leased.add(address);
                }
            } else {
                allPut = false;
            }
        }
        // A recipient another open created is read back; those this open created are as written.
        Items stored = allPut ? new Items(items.message(), recipients) : load(message.key());
        return new Opened(stored.toStored(), leased);
    }

    @Override
    public boolean claim(String key, String recipient, String owner, Instant leaseUntil, Instant now) {
        DynamoUpdate update = new DynamoUpdate()
                .set(LEASE_OWNER, s(owner))
                .set(LEASE_UNTIL, n(leaseUntil.toEpochMilli()));
        update.condition("attribute_exists(" + update.name(PK) + ")");
        update.condition(update.name(STATUS) + " <> " + update.value("delivered", delivered()));
        update.condition(update.name(FINAL_OUTCOME) + " = " + update.value("notFinal", DynamoValue.fromBool(false)));
        update.condition("attribute_not_exists(" + update.name(LEASE_OWNER) + ") OR "
                + update.name(LEASE_OWNER) + " = " + update.value(LEASE_OWNER, s(owner)) + " OR "
                + update.name(LEASE_UNTIL) + " < " + update.value("now", n(now.toEpochMilli())));
        return updateIf(update, key, DynamoItems.recipientSk(recipient));
    }

    /**
     * Writes on condition that the record still has {@code known}'s attempt count and is leased to
     * {@code owner}, without reading it: nothing but an attempt changes what an attempt's write is
     * computed from, and every attempt adds one to the count. When the condition fails (another
     * writer came first, or the lease ran out and was taken) it falls back to the read-decide-write
     * of {@link #recordAttempt(String, String, String, Attempt)}.
     */
    @Override
    public boolean recordAttempt(String key, StoredRecipient known, String owner, Attempt attempt) {
        // A delivered record stays delivered and a final failure changes only to delivered, so a
        // refusal decided on an older record is the one the current record would get.
        if (!StoreRules.mayRecord(known, attempt)) {
            return false;
        }
        if (writeAttempt(key, known, StoreRules.afterAttempt(known, attempt), owner)) {
            return true;
        }
        return recordAttempt(key, known.address(), owner, attempt);
    }

    /**
     * Reads the recipient, decides with {@link StoreRules}, and writes the new record on condition
     * that nobody wrote an attempt in between ({@code attempts} unchanged). A lost race re-reads,
     * at most {@code StoreRules.MAX_WRITE_TRIES} times. The lease is released only when it is
     * {@code owner}'s: clearing another owner's live lease would let a third claim the recipient
     * while that owner is still sending.
     */
    @Override
    public boolean recordAttempt(String key, String recipient, String owner, Attempt attempt) {
        for (int tries = 0; tries < StoreRules.MAX_WRITE_TRIES; tries++) {
            Map<String, DynamoValue> item = client.getItem(table, DynamoItems.key(key, DynamoItems.recipientSk(recipient)));
            if (item == null || item.isEmpty()) {
                return false;
            }
            StoredRecipient current = DynamoItems.toRecipient(item);
            if (!StoreRules.mayRecord(current, attempt)) {
                return false;
            }
            boolean ownLease = item.containsKey(LEASE_OWNER) && owner.equals(item.get(LEASE_OWNER).s());
            if (writeAttempt(key, current, StoreRules.afterAttempt(current, attempt), ownLease ? owner : null)) {
                return true;
            }
        }
        throw new IllegalStateException("the attempt for " + recipient + " of " + key + " lost "
                + StoreRules.MAX_WRITE_TRIES + " write races in a row");
    }

    private boolean writeAttempt(String key, StoredRecipient current, StoredRecipient next, String releasedOwner) {
        DynamoUpdate update = new DynamoUpdate()
                .set(STATUS, s(next.status().wire()))
                .set(ATTEMPTS, n(next.attempts()))
                .set(FINAL_OUTCOME, DynamoValue.fromBool(next.finalOutcome()))
                .set(LAST_ATTEMPT, DynamoItems.attempt(next.lastAttempt()))
                .set(HISTORY, DynamoItems.history(next.history()));
        if (next.deliveredAt() != null) {
            update.set(DELIVERED_AT, s(next.deliveredAt().toString()));
        }
        if (next.firstFailedAt() != null) {
            update.set(FIRST_FAILED_AT, s(next.firstFailedAt().toString()));
        }
        update.condition(update.name(ATTEMPTS) + " = " + update.value("readAttempts", n(current.attempts())));
        update.condition(update.name(STATUS) + " <> " + update.value("delivered", delivered()));
        if (releasedOwner != null) {
            update.remove(LEASE_OWNER).remove(LEASE_UNTIL);
            update.condition(update.name(LEASE_OWNER) + " = " + update.value("owner", s(releasedOwner)));
        }
        return updateIf(update, key, DynamoItems.recipientSk(current.address()));
    }

    @Override
    public void finishMessage(String key, MessageStatus status, Instant now) {
        DynamoUpdate update = new DynamoUpdate()
                .set(STATUS, DynamoItems.status(status))
                .set(UPDATED_AT, s(now.toString()))
                .add(ATTEMPTS, n(1));
        update.condition("attribute_exists(" + update.name(PK) + ")");
        if (!updateIf(update, key, MESSAGE_SK)) {
            throw new IllegalStateException("no message is stored under " + key);
        }
    }

    @Override
    public void reject(String key, String error, String bodyExcerpt, Instant now) {
        // The first record stays: a second delivery of the same bad body changes nothing.
        putIfAbsent(DynamoItems.rejectedItem(key, error, bodyExcerpt, now, now.plus(rejectedRetention)));
    }

    @Override
    public Optional<StoredMessage> find(String key) {
        Items items = load(key);
        return items.message() == null ? Optional.empty() : Optional.of(items.toStored());
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    /** Every item of one message, read consistently: a redelivery must see the latest outcome. */
    private Items load(String key) {
        DynamoApi.Expression byKey = new DynamoApi.Expression("#pk = :pk", Map.of("#pk", PK), Map.of(":pk", s(key)));
        Map<String, DynamoValue> message = null;
        Map<String, Map<String, DynamoValue>> recipients = new LinkedHashMap<>();
        for (Map<String, DynamoValue> item : client.query(table, byKey)) {
            String sk = item.get(SK).s();
            if (sk.equals(MESSAGE_SK)) {
                message = item;
            } else if (sk.startsWith(DynamoItems.RECIPIENT_PREFIX)) {
                recipients.put(sk.substring(DynamoItems.RECIPIENT_PREFIX.length()), item);
            }
        }
        return new Items(message, recipients);
    }

    private boolean putIfAbsent(Map<String, DynamoValue> item) {
        return client.putItem(table, item, new DynamoApi.Expression("attribute_not_exists(#pk)", Map.of("#pk", PK),
                Map.of()));
    }

    /**
     * Puts each item only if absent, all at once on virtual threads when there are several: the
     * recipients of a message are independent items. Rethrows the first failure after every put
     * has ended.
     */
    private List<PutResult> putAllIfAbsent(List<Map<String, DynamoValue>> items) {
        if (items.size() == 1) {
            return List.of(new PutResult(items.get(0), putIfAbsent(items.get(0))));
        }
        try (ExecutorService puts = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> done = items.stream().map(item -> puts.submit(() -> putIfAbsent(item))).toList();
            List<PutResult> results = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                results.add(new PutResult(items.get(i), result(done.get(i))));
            }
            return results;
        }
    }

    private static boolean result(Future<Boolean> put) {
        try {
            return put.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to the store", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private record PutResult(Map<String, DynamoValue> item, boolean written) {
    }

    private boolean updateIf(DynamoUpdate update, String key, String sk) {
        return client.updateItem(table, DynamoItems.key(key, sk), update.expression(), update.placeholders());
    }

    private static DynamoValue delivered() {
        return s(RecipientStatus.DELIVERED.wire());
    }

    /** The items of one message as read: the message item (null when absent) and recipient items by address. */
    private record Items(Map<String, DynamoValue> message, Map<String, Map<String, DynamoValue>> recipients) {

        List<String> missingRecipients() {
            return DynamoItems.recipientOrder(message).stream().filter(a -> !recipients.containsKey(a)).toList();
        }

        StoredMessage toStored() {
            Map<String, StoredRecipient> ordered = new LinkedHashMap<>();
            DynamoItems.recipientOrder(message).stream().filter(recipients::containsKey)
                    .forEach(a -> ordered.put(a, DynamoItems.toRecipient(recipients.get(a))));
            // Items the list does not name cannot come from open; show them rather than hide them.
            recipients.forEach((a, item) -> ordered.putIfAbsent(a, DynamoItems.toRecipient(item)));
            return DynamoItems.toMessage(message, List.copyOf(ordered.values()));
        }
    }
}
