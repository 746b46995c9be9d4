package dev.directmx.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The DynamoDB item layout of {@link DynamoOutcomeStore}: how records become attribute maps and
 * back. One table; the partition key {@code pk} is the message key, the sort key {@code sk} is
 * {@value #MESSAGE_SK} for the message and {@value #RECIPIENT_PREFIX} plus the address for each
 * recipient, so one {@code Query} on {@code pk} reads a whole message.
 *
 * <p>Times shown to people ({@code firstSeen}, {@code updatedAt}, {@code deliveredAt},
 * {@code firstFailedAt}, an attempt's {@code at}) are ISO-8601 strings, exact and readable in the
 * console. {@code leaseUntil} is a number of epoch milliseconds because conditions compare it,
 * and {@code expiresAt} a number of epoch seconds because that is what DynamoDB TTL reads.
 * Null values are left out of the item rather than stored as NULL.
 */
final class DynamoItems {

    static final String PK = "pk";
    static final String SK = "sk";
    static final String MESSAGE_SK = "MESSAGE";
    static final String RECIPIENT_PREFIX = "RCPT#";

    static final String STATUS = "status";
    static final String ATTEMPTS = "attempts";
    static final String EXPIRES_AT = "expiresAt";
    static final String UPDATED_AT = "updatedAt";
    static final String RECIPIENTS = "recipients";
    static final String ADDRESS = "address";
    static final String FINAL_OUTCOME = "finalOutcome";
    static final String LAST_ATTEMPT = "lastAttempt";
    static final String HISTORY = "history";
    static final String DELIVERED_AT = "deliveredAt";
    static final String FIRST_FAILED_AT = "firstFailedAt";
    static final String LEASE_OWNER = "leaseOwner";
    static final String LEASE_UNTIL = "leaseUntil";

    private DynamoItems() {
    }

    static Map<String, DynamoValue> key(String key, String sk) {
        return Map.of(PK, s(key), SK, s(sk));
    }

    static String recipientSk(String address) {
        return RECIPIENT_PREFIX + address;
    }

    static Map<String, DynamoValue> messageItem(NewMessage message, List<String> recipients, Instant now) {
        Map<String, DynamoValue> item = new HashMap<>(key(message.key(), MESSAGE_SK));
        putIfPresent(item, "messageId", message.messageId());
        putIfPresent(item, "sender", message.sender());
        putIfPresent(item, "subject", message.subject());
        item.put(STATUS, status(MessageStatus.PENDING));
        item.put(ATTEMPTS, n(0));
        item.put("firstSeen", s(now.toString()));
        item.put(UPDATED_AT, s(now.toString()));
        item.put(EXPIRES_AT, epochSeconds(message.expiresAt()));
        // The order recipients were given in: the sort key orders them by address instead.
        item.put(RECIPIENTS, DynamoValue.fromL(recipients.stream().map(DynamoItems::s).toList()));
        return item;
    }

    static Map<String, DynamoValue> rejectedItem(String key, String error, String bodyExcerpt, Instant now,
            Instant expiresAt) {
        Map<String, DynamoValue> item = new HashMap<>(key(key, MESSAGE_SK));
        item.put(STATUS, status(MessageStatus.REJECTED));
        // Reading and refusing the body was its one processing.
        item.put(ATTEMPTS, n(1));
        item.put("firstSeen", s(now.toString()));
        item.put(UPDATED_AT, s(now.toString()));
        item.put(EXPIRES_AT, epochSeconds(expiresAt));
        item.put(RECIPIENTS, DynamoValue.fromL(List.of()));
        putIfPresent(item, "error", error);
        putIfPresent(item, "bodyExcerpt", bodyExcerpt);
        return item;
    }

    /** A pending recipient, held by {@code lease} when it is not null. */
    static Map<String, DynamoValue> recipientItem(String key, String address, DynamoValue expiresAt,
            Lease lease) {
        Map<String, DynamoValue> item = new HashMap<>(key(key, recipientSk(address)));
        if (lease != null) {
            item.put(LEASE_OWNER, s(lease.owner()));
            item.put(LEASE_UNTIL, n(lease.until().toEpochMilli()));
        }
        item.put(ADDRESS, s(address));
        item.put(STATUS, s(RecipientStatus.PENDING.wire()));
        item.put(ATTEMPTS, n(0));
        item.put(FINAL_OUTCOME, DynamoValue.fromBool(false));
        item.put(HISTORY, DynamoValue.fromL(List.of()));
        item.put(EXPIRES_AT, expiresAt);
        return item;
    }

    /** The addresses the message record lists, in their given order. */
    static List<String> recipientOrder(Map<String, DynamoValue> message) {
        DynamoValue list = message.get(RECIPIENTS);
        return list == null ? List.of() : list.l().stream().map(DynamoValue::s).toList();
    }

    static StoredMessage toMessage(Map<String, DynamoValue> item, List<StoredRecipient> recipients) {
        return new StoredMessage(item.get(PK).s(), string(item, "messageId"), string(item, "sender"),
                string(item, "subject"), MessageStatus.valueOf(upper(item.get(STATUS).s())),
                integer(item, ATTEMPTS), instant(item, "firstSeen"), instant(item, UPDATED_AT),
                Instant.ofEpochSecond(Long.parseLong(item.get(EXPIRES_AT).n())), string(item, "error"),
                string(item, "bodyExcerpt"), recipients);
    }

    static StoredRecipient toRecipient(Map<String, DynamoValue> item) {
        DynamoValue last = item.get(LAST_ATTEMPT);
        DynamoValue history = item.get(HISTORY);
        return new StoredRecipient(item.get(ADDRESS).s(), RecipientStatus.valueOf(upper(item.get(STATUS).s())),
                integer(item, ATTEMPTS), last == null ? null : toAttempt(last.m()),
                history == null ? List.of() : history.l().stream().map(a -> toAttempt(a.m())).toList(),
                instant(item, DELIVERED_AT), instant(item, FIRST_FAILED_AT),
                item.containsKey(FINAL_OUTCOME) && item.get(FINAL_OUTCOME).bool());
    }

    static DynamoValue attempt(Attempt attempt) {
        Map<String, DynamoValue> map = new HashMap<>();
        map.put(STATUS, s(attempt.status().wire()));
        map.put(FINAL_OUTCOME, DynamoValue.fromBool(attempt.finalOutcome()));
        map.put("code", n(attempt.code()));
        putIfPresent(map, "enhancedCode", attempt.enhancedCode());
        putIfPresent(map, "text", attempt.text());
        putIfPresent(map, "command", attempt.command());
        putIfPresent(map, "dkim", attempt.dkim());
        putIfPresent(map, "at", attempt.at() == null ? null : attempt.at().toString());
        if (attempt.route() != null) {
            map.put("route", route(attempt.route()));
        }
        return DynamoValue.fromM(map);
    }

    static DynamoValue history(List<Attempt> attempts) {
        return DynamoValue.fromL(attempts.stream().map(DynamoItems::attempt).toList());
    }

    private static DynamoValue route(StoredRoute route) {
        Map<String, DynamoValue> map = new HashMap<>();
        putIfPresent(map, "mxHost", route.mxHost());
        putIfPresent(map, "address", route.address());
        map.put("port", n(route.port()));
        putIfPresent(map, "tlsProtocol", route.tlsProtocol());
        putIfPresent(map, "tlsCipher", route.tlsCipher());
        return DynamoValue.fromM(map);
    }

    private static Attempt toAttempt(Map<String, DynamoValue> map) {
        DynamoValue route = map.get("route");
        return new Attempt(RecipientStatus.valueOf(upper(map.get(STATUS).s())), map.get(FINAL_OUTCOME).bool(),
                integer(map, "code"), string(map, "enhancedCode"), string(map, "text"), string(map, "command"),
                route == null ? null : toRoute(route.m()), string(map, "dkim"), instant(map, "at"));
    }

    private static StoredRoute toRoute(Map<String, DynamoValue> map) {
        return new StoredRoute(string(map, "mxHost"), string(map, "address"), integer(map, "port"),
                string(map, "tlsProtocol"), string(map, "tlsCipher"));
    }

    static DynamoValue s(String value) {
        return DynamoValue.fromS(value);
    }

    static DynamoValue n(long value) {
        return DynamoValue.fromN(Long.toString(value));
    }

    static DynamoValue status(MessageStatus status) {
        return s(status.name().toLowerCase(Locale.ROOT));
    }

    static DynamoValue epochSeconds(Instant instant) {
        return n(instant.getEpochSecond());
    }

    private static void putIfPresent(Map<String, DynamoValue> item, String name, String value) {
        if (value != null) {
            item.put(name, s(value));
        }
    }

    private static String string(Map<String, DynamoValue> item, String name) {
        DynamoValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static int integer(Map<String, DynamoValue> item, String name) {
        DynamoValue value = item.get(name);
        return value == null ? 0 : Integer.parseInt(value.n());
    }

    private static Instant instant(Map<String, DynamoValue> item, String name) {
        DynamoValue value = item.get(name);
        return value == null ? null : Instant.parse(value.s());
    }

    private static String upper(String wire) {
        return wire.toUpperCase(Locale.ROOT);
    }
}
