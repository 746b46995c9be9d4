package dev.directmx.aws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The two fields of an AWS JSON error body that matter, {@code __type} and {@code message}
 * (some services write {@code Message}), read with the streaming parser. A body that is not JSON
 * (a proxy's error page) gives neither; the parser's own message is dropped, never quoted.
 */
record AwsJsonError(String type, String message) {

    private static final JsonFactory JSON = new JsonFactory();

    static AwsJsonError parse(byte[] body) {
        String type = null;
        String message = null;
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new AwsJsonError(null, null);
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.VALUE_STRING && field.equals("__type")) {
                    type = parser.getText();
                } else if (value == JsonToken.VALUE_STRING && (field.equals("message") || field.equals("Message"))) {
                    message = parser.getText();
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException notJson) {
            // What was read before the fault stands; the rest is unknown.
        }
        return new AwsJsonError(type, message);
    }
}
