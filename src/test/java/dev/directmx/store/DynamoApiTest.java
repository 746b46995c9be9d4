package dev.directmx.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@link DynamoApi} against dynalite: the calls the store does not exercise at their edges
 * (several pages, tables that exist or do not, refusals), and what it writes read back with the
 * SDK's own DynamoDB client, so that the wire form is checked by code that is not ours.
 */
class DynamoApiTest {

    @RegisterExtension
    static final Dynalite DYNALITE = new Dynalite();

    private final List<String> operations = new CopyOnWriteArrayList<>();

    private static Map<String, DynamoValue> item(String pk, String sk) {
        Map<String, DynamoValue> item = new HashMap<>();
        item.put("pk", DynamoValue.fromS(pk));
        item.put("sk", DynamoValue.fromS(sk));
        return item;
    }

    @Test
    void queryReadsEveryPageOfAPartitionLargerThanOnePage() {
        DynamoOutcomeStore.createTable(DYNALITE.api(), "paged");
        // DynamoDB answers a Query with at most 1 MB; twelve items of 200 KB need at least three pages.
        String filler = "x".repeat(200_000);
        for (int i = 0; i < 12; i++) {
            Map<String, DynamoValue> item = item("big", "RCPT#" + i);
            item.put("filler", DynamoValue.fromS(filler));
            assertThat(DYNALITE.api().putItem("paged", item, null)).isTrue();
        }

        try (DynamoApi api = DYNALITE.countingApi(operations)) {
            List<Map<String, DynamoValue>> items = api.query("paged",
                    new DynamoApi.Expression("#pk = :pk", Map.of("#pk", "pk"), Map.of(":pk", DynamoValue.fromS("big"))));

            assertThat(items).hasSize(12).allSatisfy(i -> assertThat(i.get("filler").s()).hasSize(200_000));
        }
        assertThat(operations).hasSizeGreaterThanOrEqualTo(3).containsOnly("Query");
    }

    @Test
    void creatingATableThatExistsSaysSoAndLeavesItAsItIs() {
        DynamoOutcomeStore.createTable(DYNALITE.api(), "twice");
        DYNALITE.api().putItem("twice", item("m1", "MESSAGE"), null);

        assertThat(DYNALITE.api().createTable("twice", "pk", "sk")).isFalse();
        assertThat(DYNALITE.api().tableStatus("twice")).isEqualTo("ACTIVE");
        assertThat(DYNALITE.api().getItem("twice", item("m1", "MESSAGE"))).isEqualTo(item("m1", "MESSAGE"));
    }

    @Test
    void aTableThatDoesNotExistHasNoStatus() {
        assertThat(DYNALITE.api().tableStatus("never-created")).isNull();
    }

    @Test
    void aFailedConditionIsAnAnswerNotAnError() {
        DynamoOutcomeStore.createTable(DYNALITE.api(), "conditions");
        DynamoApi.Expression absent = new DynamoApi.Expression("attribute_not_exists(#pk)", Map.of("#pk", "pk"), Map.of());

        assertThat(DYNALITE.api().putItem("conditions", item("m1", "MESSAGE"), absent)).isTrue();
        assertThat(DYNALITE.api().putItem("conditions", item("m1", "MESSAGE"), absent)).isFalse();
        assertThat(DYNALITE.api().updateItem("conditions", item("m2", "MESSAGE"), "SET #s = :s",
                new DynamoApi.Expression("attribute_exists(#pk)", Map.of("#pk", "pk", "#s", "status"),
                        Map.of(":s", DynamoValue.fromS("done"))))).isFalse();
    }

    @Test
    void aGetOfAMissingItemIsNull() {
        DynamoOutcomeStore.createTable(DYNALITE.api(), "gets");

        assertThat(DYNALITE.api().getItem("gets", item("nobody", "MESSAGE"))).isNull();
    }

    @Test
    void otherRefusalsCarryDynamoDbsCodeAndMessage() {
        assertThatThrownBy(() -> DYNALITE.api().putItem("no-such-table", item("m1", "MESSAGE"), null))
                .isInstanceOfSatisfying(AwsServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
                    assertThat(e.awsErrorDetails().errorMessage()).contains("not found");
                });
    }

    @Test
    void whatItWritesTheSdksOwnClientReadsBackUnchanged() {
        DynamoOutcomeStore.createTable(DYNALITE.api(), "wire");
        Map<String, DynamoValue> item = item("m1", "RCPT#zoë@example.org");
        item.put("attempts", DynamoValue.fromN("3"));
        item.put("finalOutcome", DynamoValue.fromBool(false));
        item.put("lastAttempt", DynamoValue.fromM(Map.of("text", DynamoValue.fromS("451 4.7.1 greylisted ✉"),
                "route", DynamoValue.fromM(Map.of("port", DynamoValue.fromN("25"))))));
        item.put("history", DynamoValue.fromL(List.of(DynamoValue.fromS("a"), DynamoValue.fromN("1"))));
        DYNALITE.api().putItem("wire", item, null);

        Map<String, AttributeValue> read = DYNALITE.client().getItem(b -> b.tableName("wire").consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("m1"), "sk", AttributeValue.fromS("RCPT#zoë@example.org")))).item();

        assertThat(read.get("attempts").n()).isEqualTo("3");
        assertThat(read.get("finalOutcome").bool()).isFalse();
        assertThat(read.get("lastAttempt").m().get("text").s()).isEqualTo("451 4.7.1 greylisted ✉");
        assertThat(read.get("lastAttempt").m().get("route").m().get("port").n()).isEqualTo("25");
        assertThat(read.get("history").l()).extracting(v -> v.s() != null ? v.s() : v.n()).containsExactly("a", "1");
    }
}
