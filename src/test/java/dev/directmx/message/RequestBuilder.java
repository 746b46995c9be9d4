package dev.directmx.message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds {@link MessageRequest}s for tests, starting from the seed's message. */
final class RequestBuilder {

    private String id;
    private String from = "sender@example.com";
    private String envelopeFrom;
    private List<String> to = new ArrayList<>(List.of("recipient@example.net"));
    private List<String> cc = new ArrayList<>();
    private List<String> bcc = new ArrayList<>();
    private List<String> replyTo = new ArrayList<>();
    private String subject = "This is a sendable email";
    private String text = "Hi there,\nDid it hit the Spam folder?";
    private String html;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final List<Attachment> attachments = new ArrayList<>();

    static RequestBuilder seed() {
        return new RequestBuilder();
    }

    RequestBuilder id(String value) {
        id = value;
        return this;
    }

    RequestBuilder from(String value) {
        from = value;
        return this;
    }

    RequestBuilder envelopeFrom(String value) {
        envelopeFrom = value;
        return this;
    }

    RequestBuilder to(String... values) {
        to = new ArrayList<>(Arrays.asList(values));
        return this;
    }

    RequestBuilder cc(String... values) {
        cc = new ArrayList<>(Arrays.asList(values));
        return this;
    }

    RequestBuilder bcc(String... values) {
        bcc = new ArrayList<>(Arrays.asList(values));
        return this;
    }

    RequestBuilder replyTo(String... values) {
        replyTo = new ArrayList<>(Arrays.asList(values));
        return this;
    }

    RequestBuilder subject(String value) {
        subject = value;
        return this;
    }

    RequestBuilder text(String value) {
        text = value;
        return this;
    }

    RequestBuilder html(String value) {
        html = value;
        return this;
    }

    RequestBuilder header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    RequestBuilder attachment(String filename, String contentType, String base64) {
        attachments.add(new Attachment(filename, contentType, base64));
        return this;
    }

    MessageRequest build() {
        return new MessageRequest(id, from, envelopeFrom, to, cc, bcc, replyTo, subject, text, html, headers,
                attachments);
    }
}
