package dev.directmx.message;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@link MessageRequest} JSON with Jackson's streaming parser and generator, and
 * names the field at fault in every error.
 *
 * <p>Strict where a mistake would change the message silently: unknown fields, duplicate keys,
 * trailing content, and numbers, booleans or objects where text belongs are errors. Lenient where
 * the meaning is clear: a single address (or attachment) may stand for a list, and JSON null for
 * an absent field. Streaming rather than data binding: the first message in a fresh JVM is read
 * in a fraction of the time (no bean introspection, some 500 classes fewer), which is most of a
 * Lambda cold start's first batch.
 */
final class MessageJson {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final String REQUEST_FIELDS =
            "id, from, envelopeFrom, to, cc, bcc, replyTo, subject, text, html, headers, attachments";
    private static final String ATTACHMENT_FIELDS = "filename, contentType, content";
    private static final String AN_OBJECT = "a JSON object with from, to, subject and text";

    private MessageJson() {
    }

    static MessageRequest read(String json) throws InvalidMessageException {
        if (json == null || json.isBlank()) {
            throw new InvalidMessageException("message", "is empty; send a JSON object with from, to, subject and text");
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.VALUE_NULL) {
                throw new InvalidMessageException("message", "is JSON null; send " + AN_OBJECT);
            }
            if (first != JsonToken.START_OBJECT) {
                throw wrongType(parser, "message", AN_OBJECT);
            }
            MessageRequest request = request(parser);
            if (parser.nextToken() != null) {
                throw new InvalidMessageException("message", "has more after the JSON object "
                        + where(parser.currentTokenLocation()) + "; send exactly one JSON object");
            }
            return request;
        } catch (StreamReadException e) {
            throw new InvalidMessageException(path(e.getProcessor() instanceof JsonParser p ? p.getParsingContext() : null),
                    "is not valid JSON " + where(e.getLocation()) + ": " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            // The input is a String: no I/O can fail. Reported rather than lost all the same.
            throw new InvalidMessageException("message", "could not be read: " + firstLine(e.getMessage()), e);
        }
    }

    private static MessageRequest request(JsonParser parser) throws IOException, InvalidMessageException {
        String id = null;
        String from = null;
        String envelopeFrom = null;
        List<String> to = null;
        List<String> cc = null;
        List<String> bcc = null;
        List<String> replyTo = null;
        String subject = null;
        String text = null;
        String html = null;
        Map<String, String> headers = null;
        List<Attachment> attachments = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonLocation at = parser.currentTokenLocation();
            parser.nextToken();
            switch (name) {
                case "id" -> id = text(parser, name);
                case "from" -> from = text(parser, name);
                case "envelopeFrom" -> envelopeFrom = text(parser, name);
                case "to" -> to = addresses(parser, name);
                case "cc" -> cc = addresses(parser, name);
                case "bcc" -> bcc = addresses(parser, name);
                case "replyTo" -> replyTo = addresses(parser, name);
                case "subject" -> subject = text(parser, name);
                case "text" -> text = text(parser, name);
                case "html" -> html = text(parser, name);
                case "headers" -> headers = headers(parser);
                case "attachments" -> attachments = attachments(parser);
                default -> throw unknownField(name, at, REQUEST_FIELDS);
            }
        }
        return new MessageRequest(id, from, envelopeFrom, to, cc, bcc, replyTo, subject, text, html, headers,
                attachments);
    }

    /** A string, or null for JSON null; numbers and booleans are not taken for text. */
    private static String text(JsonParser parser, String field) throws IOException, InvalidMessageException {
        return switch (parser.currentToken()) {
            case VALUE_STRING -> parser.getText();
            case VALUE_NULL -> null;
            default -> throw wrongType(parser, field, "a string");
        };
    }

    /** A list of strings, or one string standing for a list of one. Null elements are kept: the validator names them by index. */
    private static List<String> addresses(JsonParser parser, String field) throws IOException, InvalidMessageException {
        return switch (parser.currentToken()) {
            case VALUE_STRING -> List.of(parser.getText());
            case VALUE_NULL -> null;
            case START_ARRAY -> {
                List<String> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    list.add(text(parser, field + "[" + list.size() + "]"));
                }
                yield list;
            }
            default -> throw wrongType(parser, field, "an address or a list of addresses");
        };
    }

    private static Map<String, String> headers(JsonParser parser) throws IOException, InvalidMessageException {
        return switch (parser.currentToken()) {
            case VALUE_NULL -> null;
            case START_OBJECT -> {
                Map<String, String> headers = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    headers.put(name, text(parser, "headers." + name));
                }
                yield headers;
            }
            default -> throw wrongType(parser, "headers", "an object mapping header names to string values");
        };
    }

    private static List<Attachment> attachments(JsonParser parser) throws IOException, InvalidMessageException {
        return switch (parser.currentToken()) {
            case VALUE_NULL -> null;
            case START_OBJECT -> List.of(attachment(parser, "attachments[0]"));
            case START_ARRAY -> {
                List<Attachment> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    String path = "attachments[" + list.size() + "]";
                    list.add(switch (parser.currentToken()) {
                        case START_OBJECT -> attachment(parser, path);
                        case VALUE_NULL -> null;
                        default -> throw wrongType(parser, path, "an object with filename, contentType and content");
                    });
                }
                yield list;
            }
            default -> throw wrongType(parser, "attachments", "an attachment object or a list of them");
        };
    }

    private static Attachment attachment(JsonParser parser, String path) throws IOException, InvalidMessageException {
        String filename = null;
        String contentType = null;
        String content = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonLocation at = parser.currentTokenLocation();
            parser.nextToken();
            switch (name) {
                case "filename" -> filename = text(parser, path + "." + name);
                case "contentType" -> contentType = text(parser, path + "." + name);
                case "content" -> content = text(parser, path + "." + name);
                default -> throw unknownField(path + "." + name, at, ATTACHMENT_FIELDS);
            }
        }
        return new Attachment(filename, contentType, content);
    }

    static String write(MessageRequest request) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            field(json, "id", request.id());
            field(json, "from", request.from());
            field(json, "envelopeFrom", request.envelopeFrom());
            list(json, "to", request.to());
            list(json, "cc", request.cc());
            list(json, "bcc", request.bcc());
            list(json, "replyTo", request.replyTo());
            field(json, "subject", request.subject());
            field(json, "text", request.text());
            field(json, "html", request.html());
            if (!request.headers().isEmpty()) {
                json.writeObjectFieldStart("headers");
                for (Map.Entry<String, String> header : request.headers().entrySet()) {
                    json.writeStringField(header.getKey(), header.getValue());
                }
                json.writeEndObject();
            }
            if (!request.attachments().isEmpty()) {
                json.writeArrayFieldStart("attachments");
                for (Attachment attachment : request.attachments()) {
                    if (attachment == null) {
                        json.writeNull();
                        continue;
                    }
                    json.writeStartObject();
                    field(json, "filename", attachment.filename());
                    field(json, "contentType", attachment.contentType());
                    field(json, "content", attachment.content());
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            json.writeEndObject();
        } catch (IOException e) {
            // A StringWriter cannot fail.
            throw new UncheckedIOException("could not write a MessageRequest as JSON", e);
        }
        return out.toString();
    }

    /** Absent (null) fields are left out, as are empty lists: the canonical JSON has one form. */
    private static void field(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    private static void list(JsonGenerator json, String name, List<String> values) throws IOException {
        if (values.isEmpty()) {
            return;
        }
        json.writeArrayFieldStart(name);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    private static InvalidMessageException unknownField(String path, JsonLocation at, String known) {
        return new InvalidMessageException(path, "is not a known field " + where(at)
                + "; remove it or correct its spelling (known fields: " + known + ")");
    }

    private static InvalidMessageException wrongType(JsonParser parser, String field, String expected) {
        return new InvalidMessageException(field, "has the wrong type " + where(parser.currentTokenLocation())
                + ": expected " + expected);
    }

    /** The JSON path where the parser stood when the syntax error happened: {@code to[1]}, {@code attachments[0].content}. */
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
            if (!part.startsWith("[") && !path.isEmpty()) {
                path.append('.');
            }
            path.append(part);
        }
        return path.isEmpty() ? "message" : path.toString();
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "in the JSON";
        }
        return "at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "syntax error";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
