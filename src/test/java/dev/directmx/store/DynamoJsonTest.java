package dev.directmx.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/** DynamoDB's JSON wire form of items, both ways. */
class DynamoJsonTest {

    @Test
    void everyValueTypeTheStoreUsesSurvivesTheWireForm() throws IOException {
        Map<String, DynamoValue> item = Map.of(
                "pk", DynamoValue.fromS("m1 \"quoted\" ✉ 😀\n"),
                "attempts", DynamoValue.fromN("12345678901234567890"),
                "finalOutcome", DynamoValue.fromBool(true),
                "gone", new DynamoValue.Null(),
                "history", DynamoValue.fromL(List.of(DynamoValue.fromM(Map.of(
                        "route", DynamoValue.fromM(Map.of("port", DynamoValue.fromN("25"))),
                        "status", DynamoValue.fromS("deferred"))))),
                "empty", DynamoValue.fromL(List.of()));

        byte[] wire = DynamoJson.request(json -> DynamoJson.writeItem(json, "Item", item));

        assertThat(new String(wire, StandardCharsets.UTF_8)).contains("\"attempts\":{\"N\":\"12345678901234567890\"}")
                .contains("\"finalOutcome\":{\"BOOL\":true}").contains("\"gone\":{\"NULL\":true}");
        try (JsonParser json = DynamoJson.FACTORY.createParser(wire)) {
            json.nextToken(); // the request object
            json.nextToken(); // "Item"
            json.nextToken(); // the item
            assertThat(DynamoJson.readItem(json)).isEqualTo(item);
        }
    }

    @Test
    void aSetInAnAnswerIsRefusedNamingItsType() throws IOException {
        byte[] wire = "{\"tags\":{\"SS\":[\"a\",\"b\"]}}".getBytes(StandardCharsets.UTF_8);
        try (JsonParser json = DynamoJson.FACTORY.createParser(wire)) {
            json.nextToken();
            assertThatThrownBy(() -> DynamoJson.readItem(json)).isInstanceOf(SdkClientException.class)
                    .hasMessageContaining("type SS").hasMessageContaining("DIRECTMX_TABLE");
        }
    }

    @Test
    void anAnswerOfTheWrongShapeSaysWhatWasExpectedWhere() throws IOException {
        byte[] wire = "{\"pk\":\"m1\"}".getBytes(StandardCharsets.UTF_8);
        try (JsonParser json = DynamoJson.FACTORY.createParser(wire)) {
            json.nextToken();
            assertThatThrownBy(() -> DynamoJson.readItem(json)).isInstanceOf(SdkClientException.class)
                    .hasMessageContaining("an attribute value was expected");
        }
    }
}
