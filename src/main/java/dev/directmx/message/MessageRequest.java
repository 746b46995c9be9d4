package dev.directmx.message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A message as the client asks for it: the JSON body of an SQS message.
 *
 * <pre>{@code
 * {"from": "Sender Name <sender@example.com>", "to": ["recipient@example.net"],
 *  "subject": "This is a sendable email", "text": "Hi there,\nDid it hit the Spam folder?"}
 * }</pre>
 *
 * <p>Fields are camelCase; unknown fields are refused. {@code to}, {@code cc}, {@code bcc}
 * and {@code replyTo} take a list or a single string. {@code from}, {@code subject} (it may
 * be empty), at least one recipient and at least one of {@code text}, {@code html} or an
 * attachment are required. {@link #fromJson} checks the JSON and the required fields;
 * {@link MessageComposer#compose} checks everything else.
 *
 * <p>The record normalises absent lists and maps to empty ones, so that the same message
 * has one {@link #toJson() canonical JSON} however it was written; the lists may still hold
 * {@code null} elements, which the composer reports by index.
 *
 * @param id an optional client key; when present the Message-ID derives from it (with the
 *     sender's address), so a client's retries of one message keep one Message-ID
 * @param from the header From: one address, {@code Name <local@domain>} or {@code
 *     local@domain}; required
 * @param envelopeFrom the {@code MAIL FROM} address if it differs from {@code from}, for
 *     example a bounce address
 * @param to recipients shown in To; each entry an address, a list of addresses or a group
 * @param cc recipients shown in Cc
 * @param bcc recipients never shown in any header
 * @param replyTo addresses for the Reply-To header
 * @param subject the Subject; required, may be empty
 * @param text the text/plain body; line ends may be LF, CR or CRLF
 * @param html the text/html body; with {@code text} the message is multipart/alternative
 * @param headers extra header fields, written in the given order; at most 100, none of
 *     the fields directmx writes itself
 * @param attachments files, which make the message multipart/mixed
 */
public record MessageRequest(
        String id,
        String from,
        String envelopeFrom,
        List<String> to,
        List<String> cc,
        List<String> bcc,
        List<String> replyTo,
        String subject,
        String text,
        String html,
        Map<String, String> headers,
        List<Attachment> attachments) {

    public MessageRequest {
        to = copy(to);
        cc = copy(cc);
        bcc = copy(bcc);
        replyTo = copy(replyTo);
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        attachments = copy(attachments);
    }

    /**
     * Reads a message from JSON and checks that the required fields are there.
     *
     * @throws InvalidMessageException for a syntax error, an unknown field, a value of the
     *     wrong type or a missing required field; the message names the field and, for JSON
     *     errors, the line and column
     */
    public static MessageRequest fromJson(String json) throws InvalidMessageException {
        MessageRequest request = MessageJson.read(json);
        MessageValidator.checkRequired(request);
        return request;
    }

    /**
     * The canonical JSON of this message: fields in declaration order, absent and empty
     * optional fields left out, headers in their order. {@link #fromJson} reads it back.
     */
    public String toJson() {
        return MessageJson.write(this);
    }

    // List.copyOf would refuse null elements; they are reported by index when validated.
    private static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
    }
}
