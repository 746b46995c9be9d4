package dev.directmx.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Attempts as JSON text, for {@link SqliteOutcomeStore}'s {@code last_attempt} and {@code history}
 * columns. Written field by field rather than by record binding so that the stored shape is the
 * one written here (the same names as the DynamoDB maps), whatever Jackson modules are present.
 * Null fields are left out.
 */
final class AttemptJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AttemptJson() {
    }

    static String write(Attempt attempt) {
        return attempt == null ? null : node(attempt).toString();
    }

    static String writeAll(List<Attempt> attempts) {
        ArrayNode array = MAPPER.createArrayNode();
        attempts.forEach(a -> array.add(node(a)));
        return array.toString();
    }

    static Attempt read(String json) {
        return json == null ? null : attempt(tree(json));
    }

    static List<Attempt> readAll(String json) {
        List<Attempt> attempts = new ArrayList<>();
        tree(json).forEach(node -> attempts.add(attempt(node)));
        return List.copyOf(attempts);
    }

    private static ObjectNode node(Attempt attempt) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("status", attempt.status().wire());
        node.put("finalOutcome", attempt.finalOutcome());
        node.put("code", attempt.code());
        putIfPresent(node, "enhancedCode", attempt.enhancedCode());
        putIfPresent(node, "text", attempt.text());
        putIfPresent(node, "command", attempt.command());
        putIfPresent(node, "dkim", attempt.dkim());
        putIfPresent(node, "at", attempt.at() == null ? null : attempt.at().toString());
        StoredRoute route = attempt.route();
        if (route != null) {
            ObjectNode r = node.putObject("route");
            putIfPresent(r, "mxHost", route.mxHost());
            putIfPresent(r, "address", route.address());
            r.put("port", route.port());
            putIfPresent(r, "tlsProtocol", route.tlsProtocol());
            putIfPresent(r, "tlsCipher", route.tlsCipher());
        }
        return node;
    }

    private static Attempt attempt(JsonNode node) {
        JsonNode r = node.get("route");
        StoredRoute route = r == null ? null : new StoredRoute(text(r, "mxHost"), text(r, "address"),
                r.path("port").asInt(), text(r, "tlsProtocol"), text(r, "tlsCipher"));
        String at = text(node, "at");
        return new Attempt(RecipientStatus.valueOf(node.get("status").asText().toUpperCase(Locale.ROOT)),
                node.path("finalOutcome").asBoolean(), node.path("code").asInt(), text(node, "enhancedCode"),
                text(node, "text"), text(node, "command"), route, text(node, "dkim"),
                at == null ? null : Instant.parse(at));
    }

    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored attempt is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static void putIfPresent(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }
}
