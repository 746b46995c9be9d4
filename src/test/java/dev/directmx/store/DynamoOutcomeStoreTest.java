package dev.directmx.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The contract against dynalite, a table per test, plus the item layout that the SAM template's
 * TTL and the console rely on, and the standard endpoint setting that points a local run at
 * dynalite.
 */
class DynamoOutcomeStoreTest extends OutcomeStoreContract {

    @RegisterExtension
    static final Dynalite DYNALITE = new Dynalite();

    private static final AtomicInteger TABLES = new AtomicInteger();

    private String table;

    @Override
    protected OutcomeStore newStore() {
        table = "outcomes-" + TABLES.incrementAndGet();
        DynamoOutcomeStore.createTable(DYNALITE.api(), table);
        return new DynamoOutcomeStore(DYNALITE.api(), table);
    }

    @Test
    void everyItemIsKeyedByMessageAndCarriesTheTtlInEpochSeconds() {
        store.open(message("m1", "a@example.org", "b@example.org"), T0);
        store.reject("bad-1", "bad JSON", "{", T0);

        List<Map<String, AttributeValue>> items = DYNALITE.client().scan(b -> b.tableName(table)).items();

        assertThat(items).extracting(i -> i.get("pk").s() + " " + i.get("sk").s()).containsExactlyInAnyOrder(
                "m1 MESSAGE", "m1 RCPT#a@example.org", "m1 RCPT#b@example.org", "bad-1 MESSAGE");
        assertThat(items).filteredOn(i -> i.get("pk").s().equals("m1")).allSatisfy(i ->
                assertThat(i.get("expiresAt").n()).isEqualTo(Long.toString(EXPIRES.getEpochSecond())));
        assertThat(items).filteredOn(i -> i.get("pk").s().equals("bad-1")).allSatisfy(i ->
                assertThat(i.get("expiresAt").n())
                        .isEqualTo(Long.toString(T0.plus(StoreRules.REJECTED_RETENTION).getEpochSecond())));
    }

    @Test
    void aClaimStoresItsLeaseAsEpochMillisAndAnAttemptReleasesIt() {
        store.open(message("m1", "a@example.org"), T0);
        store.claim("m1", "a@example.org", "w1", T0.plusSeconds(60), T0);
        assertThat(recipientItem("a@example.org"))
                .containsEntry("leaseOwner", AttributeValue.fromS("w1"))
                .containsEntry("leaseUntil", AttributeValue.fromN(Long.toString(T0.plusSeconds(60).toEpochMilli())));

        store.recordAttempt("m1", "a@example.org", "w1", delivered(T0.plusSeconds(1)));

        assertThat(recipientItem("a@example.org")).doesNotContainKeys("leaseOwner", "leaseUntil")
                .containsEntry("status", AttributeValue.fromS("delivered"))
                .containsEntry("deliveredAt", AttributeValue.fromS(T0.plusSeconds(1).toString()));
    }

    @Test
    void openPutsTheLeaseOnTheRecipientItemsItCreates() {
        store.open(message("m1", "a@example.org"), new Lease("w1", T0.plusSeconds(60)), T0);

        assertThat(recipientItem("a@example.org"))
                .containsEntry("leaseOwner", AttributeValue.fromS("w1"))
                .containsEntry("leaseUntil", AttributeValue.fromN(Long.toString(T0.plusSeconds(60).toEpochMilli())));
    }

    /**
     * The common case of the worker, a new message with one recipient delivered at the first
     * attempt, pinned in requests: two puts (message, recipient with its lease), the attempt's
     * update and the message's update. It was nine (a query before and after each put, a claim,
     * and a read before the attempt's write).
     */
    @Test
    void aNewSingleRecipientMessageDeliveredAtOnceTakesFourRequests() {
        List<String> operations = new CopyOnWriteArrayList<>();
        try (DynamoApi counted = DYNALITE.countingApi(operations)) {
            OutcomeStore counting = new DynamoOutcomeStore(counted, table);

            Opened opened = counting.open(message("m1", "a@example.org"), new Lease("w1", T0.plusSeconds(60)), T0);
            counting.recordAttempt("m1", opened.message().recipients().get(0), "w1", delivered(T0.plusSeconds(1)));
            counting.finishMessage("m1", MessageStatus.DONE, T0.plusSeconds(1));
        }

        assertThat(operations).containsExactly("PutItem", "PutItem", "UpdateItem", "UpdateItem");
        assertThat(recipient("m1", "a@example.org").status()).isEqualTo(RecipientStatus.DELIVERED);
        assertThat(recipientItem("a@example.org")).doesNotContainKeys("leaseOwner", "leaseUntil");
    }

    @Test
    void openingAKnownMessageTakesARefusedPutAndAQuery() {
        store.open(message("m1", "a@example.org"), new Lease("w1", T0.plusSeconds(60)), T0);
        List<String> operations = new CopyOnWriteArrayList<>();
        try (DynamoApi counted = DYNALITE.countingApi(operations)) {
            Opened again = new DynamoOutcomeStore(counted, table)
                    .open(message("m1", "a@example.org"), new Lease("w2", T0.plusSeconds(600)), T0.plusSeconds(1));

            assertThat(again.leased()).isEmpty();
        }

        // The refused put of the message item, then the query that reads what is there.
        assertThat(operations).containsExactly("PutItem", "Query");
    }

    @Test
    void fromEnvironmentFollowsTheSdksStandardEndpointSetting() {
        // The SDK reads aws.endpointUrlDynamoDb before AWS_ENDPOINT_URL_DYNAMODB, by the same code:
        // a system property is the one of the two a test can set.
        Map<String, String> settings = Map.of("aws.endpointUrlDynamoDb", DYNALITE.endpoint(),
                "aws.accessKeyId", "dummy", "aws.secretAccessKey", "dummy");
        Map<String, String> previous = new java.util.HashMap<>();
        settings.forEach((name, value) -> previous.put(name, System.setProperty(name, value)));
        try (OutcomeStore fromEnvironment = DynamoOutcomeStore.fromEnvironment(table)) {
            fromEnvironment.open(message("m1", "a@example.org"), T0);

            assertThat(store.find("m1")).isPresent();
        } finally {
            previous.forEach((name, value) -> {
                if (value == null) {
                    System.clearProperty(name);
                } else {
                    System.setProperty(name, value);
                }
            });
        }
    }

    private Map<String, AttributeValue> recipientItem(String address) {
        return DYNALITE.client().getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("m1"), "sk", AttributeValue.fromS("RCPT#" + address))))
                .item();
    }
}
