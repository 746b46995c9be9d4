package dev.directmx.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * DynamoDB's JSON wire form of items and attribute values, written and read with Jackson's
 * streaming parser: {@code {"pk": {"S": "m1"}, "attempts": {"N": "2"}, ...}}.
 */
final class DynamoJson {

    static final JsonFactory FACTORY = new JsonFactory();

    private DynamoJson() {
    }

    /** Writes a request body: {@code fields} fills the top-level object. */
    static byte[] request(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a DynamoDB request", e);
        }
        return out.toByteArray();
    }

    /** The fields of a request's top-level object. */
    interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    static void writeItem(JsonGenerator json, String field, Map<String, DynamoValue> item) throws IOException {
        json.writeFieldName(field);
        writeMap(json, item);
    }

    static void writeNames(JsonGenerator json, Map<String, String> names) throws IOException {
        if (names.isEmpty()) {
            return;
        }
        json.writeObjectFieldStart("ExpressionAttributeNames");
        for (Map.Entry<String, String> name : names.entrySet()) {
            json.writeStringField(name.getKey(), name.getValue());
        }
        json.writeEndObject();
    }

    static void writeValues(JsonGenerator json, Map<String, DynamoValue> values) throws IOException {
        if (!values.isEmpty()) {
            writeItem(json, "ExpressionAttributeValues", values);
        }
    }

    private static void writeMap(JsonGenerator json, Map<String, DynamoValue> map) throws IOException {
        json.writeStartObject();
        for (Map.Entry<String, DynamoValue> entry : map.entrySet()) {
            json.writeFieldName(entry.getKey());
            writeValue(json, entry.getValue());
        }
        json.writeEndObject();
    }

    static void writeValue(JsonGenerator json, DynamoValue value) throws IOException {
        json.writeStartObject();
        json.writeFieldName(value.wireType());
        switch (value) {
            case DynamoValue.Str s -> json.writeString(s.value());
            case DynamoValue.Num n -> json.writeString(n.value());
            case DynamoValue.Bool b -> json.writeBoolean(b.value());
            case DynamoValue.Null n -> json.writeBoolean(true);
            case DynamoValue.ListValue l -> {
                json.writeStartArray();
                for (DynamoValue element : l.values()) {
                    writeValue(json, element);
                }
                json.writeEndArray();
            }
            case DynamoValue.MapValue m -> writeMap(json, m.values());
        }
        json.writeEndObject();
    }

    /** Reads an item (the parser on its START_OBJECT); leaves the parser on its END_OBJECT. */
    static Map<String, DynamoValue> readItem(JsonParser json) throws IOException {
        expect(json, json.currentToken(), JsonToken.START_OBJECT, "an item");
        Map<String, DynamoValue> item = new HashMap<>();
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String name = json.currentName();
            json.nextToken();
            item.put(name, readValue(json));
        }
        return item;
    }

    /** Reads a list of items (the parser on its START_ARRAY). */
    static List<Map<String, DynamoValue>> readItems(JsonParser json) throws IOException {
        expect(json, json.currentToken(), JsonToken.START_ARRAY, "a list of items");
        List<Map<String, DynamoValue>> items = new ArrayList<>();
        while (json.nextToken() == JsonToken.START_OBJECT) {
            items.add(readItem(json));
        }
        return items;
    }

    private static DynamoValue readValue(JsonParser json) throws IOException {
        expect(json, json.currentToken(), JsonToken.START_OBJECT, "an attribute value");
        expect(json, json.nextToken(), JsonToken.FIELD_NAME, "an attribute type");
        String type = json.currentName();
        JsonToken token = json.nextToken();
        DynamoValue value = switch (type) {
            case "S" -> DynamoValue.fromS(json.getText());
            case "N" -> DynamoValue.fromN(json.getText());
            case "BOOL" -> DynamoValue.fromBool(token == JsonToken.VALUE_TRUE);
            case "NULL" -> new DynamoValue.Null();
            case "L" -> {
                expect(json, token, JsonToken.START_ARRAY, "a list");
                List<DynamoValue> list = new ArrayList<>();
                while (json.nextToken() == JsonToken.START_OBJECT) {
                    list.add(readValue(json));
                }
                yield DynamoValue.fromL(list);
            }
            case "M" -> DynamoValue.fromM(readItem(json));
            // Sets and binary values: the store never writes them into its table.
            default -> throw SdkClientException.create("DynamoDB answered with an attribute of type " + type
                    + ", which directmx's table never holds: is DIRECTMX_TABLE another application's table?");
        };
        expect(json, json.nextToken(), JsonToken.END_OBJECT, "the end of an attribute value");
        return value;
    }

    private static void expect(JsonParser json, JsonToken actual, JsonToken expected, String what) {
        if (actual != expected) {
            throw SdkClientException.create("DynamoDB's answer is not the JSON expected: " + what + " was expected at "
                    + json.currentLocation().offsetDescription() + ", found " + actual);
        }
    }
}
