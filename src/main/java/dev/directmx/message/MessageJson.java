package dev.directmx.message;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads and writes {@link MessageRequest} JSON and turns Jackson's errors into field errors. */
final class MessageJson {

    /**
     * Strict where a mistake would change the message silently: unknown fields, duplicate
     * keys, trailing content and numbers or booleans where text belongs are errors.
     * Lenient where the meaning is clear: a single address may stand for a list.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .withCoercionConfig(LogicalType.Textual, config -> config
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private MessageJson() {
    }

    static MessageRequest read(String json) throws InvalidMessageException {
        if (json == null || json.isBlank()) {
            throw new InvalidMessageException("message", "is empty; send a JSON object with from, to, subject and text");
        }
        MessageRequest request;
        try {
            request = MAPPER.readValue(json, MessageRequest.class);
        } catch (UnrecognizedPropertyException e) {
            throw unknownField(e);
        } catch (MismatchedInputException e) {
            throw wrongType(e);
        } catch (StreamReadException e) {
            throw syntaxError(e);
        } catch (JsonMappingException e) {
            // Databind wraps a syntax error met inside a list or map, adding the path.
            String problem = e.getCause() instanceof StreamReadException ? "is not valid JSON " : "could not be read ";
            throw new InvalidMessageException(path(e.getPath()), problem + where(e.getLocation()) + ": "
                    + firstLine(e.getOriginalMessage()), e);
        } catch (JsonProcessingException e) {
            throw new InvalidMessageException("message", "could not be read " + where(e.getLocation()) + ": "
                    + firstLine(e.getOriginalMessage()), e);
        }
        if (request == null) {
            throw new InvalidMessageException("message", "is JSON null; send a JSON object with from, to, subject and text");
        }
        return request;
    }

    static String write(MessageRequest request) {
        try {
            return MAPPER.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            // Strings, lists and maps of strings always serialise; this is a bug, not bad input.
            throw new IllegalStateException("could not write a MessageRequest as JSON", e);
        }
    }

    private static InvalidMessageException unknownField(UnrecognizedPropertyException e) {
        String known = e.getReferringClass() != null && e.getReferringClass().isRecord()
                ? Arrays.stream(e.getReferringClass().getRecordComponents()).map(RecordComponent::getName)
                        .collect(Collectors.joining(", "))
                : knownIds(e.getKnownPropertyIds());
        return new InvalidMessageException(path(e.getPath()), "is not a known field " + where(e.getLocation())
                + "; remove it or correct its spelling (known fields: " + known + ")", e);
    }

    private static InvalidMessageException wrongType(MismatchedInputException e) {
        String field = path(e.getPath());
        return new InvalidMessageException(field, "has the wrong type " + where(e.getLocation()) + ": expected "
                + expected(field, e.getTargetType()), e);
    }

    private static InvalidMessageException syntaxError(StreamReadException e) {
        String field = e.getProcessor() instanceof JsonParser parser ? path(parser.getParsingContext()) : "message";
        return new InvalidMessageException(field, "is not valid JSON " + where(e.getLocation()) + ": "
                + firstLine(e.getOriginalMessage()), e);
    }

    private static String expected(String field, Class<?> target) {
        if (target == null) {
            return "another type";
        }
        if (target == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(target)) {
            return field.equals("attachments") ? "an attachment object or a list of them"
                    : "an address or a list of addresses";
        }
        if (Map.class.isAssignableFrom(target)) {
            return "an object mapping header names to string values";
        }
        if (target == Attachment.class) {
            return "an object with filename, contentType and content";
        }
        if (target == MessageRequest.class) {
            return "a JSON object with from, to, subject and text";
        }
        return "a " + target.getSimpleName();
    }

    /** The JSON path of a mapping error, written as {@code to[1]} or {@code attachments[0].content}. */
    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                append(path, reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "message" : path.toString();
    }

    /** The JSON path where the parser stood when the syntax error happened. */
    private static String path(JsonStreamContext context) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.push("[" + Math.max(c.getCurrentIndex(), 0) + "]");
            } else if (c.getCurrentName() != null) {
                parts.push(c.getCurrentName());
            }
        }
        StringBuilder path = new StringBuilder();
        for (String part : parts) {
            if (part.startsWith("[")) {
                path.append(part);
            } else {
                append(path, part);
            }
        }
        return path.isEmpty() ? "message" : path.toString();
    }

    private static void append(StringBuilder path, String name) {
        if (!path.isEmpty()) {
            path.append('.');
        }
        path.append(name);
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "in the JSON";
        }
        return "at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String knownIds(Collection<Object> ids) {
        return ids == null ? "see the documentation"
                : ids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "syntax error";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
