package dev.directmx.message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Checks a {@link MessageRequest} field by field and parses what it holds. */
final class MessageValidator {

    /** Extra headers a message may carry; more suggests a client that copies headers wholesale. */
    static final int MAX_HEADERS = 100;

    /**
     * The longest extra header value. Long List-Unsubscribe URLs fit; anything longer is
     * almost certainly a mistake, and a value must still fold into 998-octet lines.
     */
    static final int MAX_HEADER_VALUE_CHARS = 4000;

    /** A field name must fit on the first line with its colon (RFC 5322 §2.1.1 recommends 78). */
    static final int MAX_HEADER_NAME_CHARS = 76;

    /** The longest client key: room for a UUID or a database key with a prefix. */
    static final int MAX_ID_CHARS = 256;

    /** Header fields directmx writes itself, each with what the client should do instead. */
    private static final Map<String, String> RESERVED_HEADERS = reservedHeaders();

    private MessageValidator() {
    }

    /** The checks {@link MessageRequest#fromJson} makes: every required field is there. */
    static void checkRequired(MessageRequest r) throws InvalidMessageException {
        if (r.from() == null || r.from().isBlank()) {
            throw new InvalidMessageException("from", "is missing; give the sender as local@domain or Name <local@domain>");
        }
        if (r.to().isEmpty() && r.cc().isEmpty() && r.bcc().isEmpty()) {
            throw new InvalidMessageException("to", "is missing; give at least one recipient in to, cc or bcc");
        }
        if (r.subject() == null) {
            throw new InvalidMessageException("subject", "is missing; give a subject line (it may be empty)");
        }
        if (r.text() == null && r.html() == null && r.attachments().isEmpty()) {
            throw new InvalidMessageException("text", "is missing; give text, html or at least one attachment");
        }
    }

    static ValidatedMessage validate(MessageRequest r, MessageLimits limits) throws InvalidMessageException {
        checkRequired(r);
        checkId(r.id());
        Mailbox sender = Mailbox.parse(r.from(), "from");
        Mailbox envelopeFrom = r.envelopeFrom() == null ? sender : Mailbox.parse(r.envelopeFrom(), "envelopeFrom");
        List<Addresses.Entry> to = entries(r.to(), "to");
        List<Addresses.Entry> cc = entries(r.cc(), "cc");
        List<Addresses.Entry> bcc = entries(r.bcc(), "bcc");
        List<Addresses.Entry> replyTo = entries(r.replyTo(), "replyTo");
        List<Mailbox> recipients = recipients(limits, to, cc, bcc);
        Text.requireSingleLine(r.subject(), "subject");
        checkHeaders(r.headers());
        checkEstimatedSize(r, limits);
        List<ValidatedMessage.DecodedAttachment> attachments = Attachments.decode(r.attachments());

        boolean utf8Headers = sender.needsSmtpUtf8() || anyNeedsSmtpUtf8(Addresses.mailboxes(to))
                || anyNeedsSmtpUtf8(Addresses.mailboxes(cc)) || anyNeedsSmtpUtf8(Addresses.mailboxes(replyTo));
        boolean needsSmtpUtf8 = utf8Headers || envelopeFrom.needsSmtpUtf8() || anyNeedsSmtpUtf8(recipients);
        return new ValidatedMessage(r, sender, envelopeFrom, to, cc, replyTo, recipients,
                r.text() == null ? null : TextBody.of("plain", r.text()),
                r.html() == null ? null : TextBody.of("html", r.html()),
                attachments, utf8Headers, needsSmtpUtf8);
    }

    private static void checkId(String id) throws InvalidMessageException {
        if (id == null) {
            return;
        }
        if (id.isBlank() || id.length() > MAX_ID_CHARS) {
            throw new InvalidMessageException("id", Text.quote(id) + " is " + (id.isBlank() ? "blank" : "too long")
                    + "; give a key of 1 to " + MAX_ID_CHARS + " characters, or leave id out");
        }
        Text.requireSingleLine(id, "id");
    }

    private static List<Addresses.Entry> entries(List<String> texts, String field) throws InvalidMessageException {
        List<Addresses.Entry> entries = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            entries.addAll(Addresses.parseEntries(texts.get(i), field + "[" + i + "]"));
        }
        return List.copyOf(entries);
    }

    /**
     * Deduplicates case-insensitively on local part and A-label: servers treat local parts
     * case-insensitively in practice, and sending a person the same message twice is worse
     * than the rare server that does not.
     */
    @SafeVarargs
    private static List<Mailbox> recipients(MessageLimits limits, List<Addresses.Entry>... lists)
            throws InvalidMessageException {
        Map<String, Mailbox> unique = new LinkedHashMap<>();
        for (List<Addresses.Entry> list : lists) {
            for (Mailbox mailbox : Addresses.mailboxes(list)) {
                unique.putIfAbsent(mailbox.localPart().toLowerCase(Locale.ROOT) + "@" + mailbox.asciiDomain(), mailbox);
            }
        }
        if (unique.isEmpty()) {
            throw new InvalidMessageException("to", "holds no recipient (a group such as undisclosed-recipients:; has"
                    + " no members); give at least one address in to, cc or bcc");
        }
        if (unique.size() > limits.maxRecipients()) {
            throw new InvalidMessageException("recipients", "to, cc and bcc hold " + unique.size()
                    + " distinct recipients, over the limit of " + limits.maxRecipients()
                    + "; split the message into several");
        }
        return List.copyOf(unique.values());
    }

    private static boolean anyNeedsSmtpUtf8(List<Mailbox> mailboxes) {
        return mailboxes.stream().anyMatch(Mailbox::needsSmtpUtf8);
    }

    private static void checkHeaders(Map<String, String> headers) throws InvalidMessageException {
        if (headers.size() > MAX_HEADERS) {
            throw new InvalidMessageException("headers", "holds " + headers.size() + " headers; at most "
                    + MAX_HEADERS + " are allowed");
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String name = header.getKey();
            String field = "headers." + name;
            checkHeaderName(name, field);
            String value = header.getValue();
            if (value == null) {
                throw new InvalidMessageException(field, "has no value; give a string or leave the header out");
            }
            if (value.length() > MAX_HEADER_VALUE_CHARS) {
                throw new InvalidMessageException(field, "is " + value.length() + " characters long; at most "
                        + MAX_HEADER_VALUE_CHARS + " are allowed");
            }
            Text.requireSingleLine(value, field);
        }
    }

    /** RFC 5322 §2.2: a field name is printable US-ASCII (33 to 126) except the colon. */
    private static void checkHeaderName(String name, String field) throws InvalidMessageException {
        Text.requireSingleLine(name, field);
        if (name.isEmpty() || name.length() > MAX_HEADER_NAME_CHARS) {
            throw new InvalidMessageException(field, "is not a usable header name: it must have 1 to "
                    + MAX_HEADER_NAME_CHARS + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126 || c == ':') {
                throw new InvalidMessageException(field, Text.quote(name) + " is not a valid header name: use"
                        + " printable US-ASCII without spaces or colons (RFC 5322 §2.2), such as X-Campaign-Id");
            }
        }
        String advice = RESERVED_HEADERS.get(name.toLowerCase(Locale.ROOT));
        if (advice != null) {
            throw new InvalidMessageException(field, name + " is written by directmx and cannot be set as an extra"
                    + " header; " + advice);
        }
    }

    /**
     * Refuses a message that cannot fit before decoding and encoding megabytes of base64:
     * the decoded attachments and the text alone already exceed the limit.
     */
    private static void checkEstimatedSize(MessageRequest r, MessageLimits limits) throws InvalidMessageException {
        long estimate = 0;
        for (Attachment attachment : r.attachments()) {
            if (attachment != null && attachment.content() != null) {
                estimate += base64Characters(attachment.content()) / 4 * 3;
            }
        }
        estimate += r.text() == null ? 0 : r.text().length();
        estimate += r.html() == null ? 0 : r.html().length();
        if (estimate > limits.maxMessageBytes()) {
            throw tooLarge("at least " + estimate, limits);
        }
    }

    private static long base64Characters(String content) {
        return content.chars().filter(c -> c != ' ' && c != '\t' && c != '\r' && c != '\n').count();
    }

    static InvalidMessageException tooLarge(String size, MessageLimits limits) {
        return new InvalidMessageException("message", "is " + size + " octets composed, over the limit of "
                + limits.maxMessageBytes() + "; send smaller attachments or link to the files instead");
    }

    private static Map<String, String> reservedHeaders() {
        Map<String, String> reserved = new LinkedHashMap<>();
        reserved.put("from", "use the field from");
        reserved.put("to", "use the field to");
        reserved.put("cc", "use the field cc");
        reserved.put("bcc", "use the field bcc");
        reserved.put("reply-to", "use the field replyTo");
        reserved.put("subject", "use the field subject");
        reserved.put("return-path", "use the field envelopeFrom; the receiving server adds Return-Path");
        reserved.put("sender", "a message with one From mailbox needs no Sender (RFC 5322 §3.6.2)");
        reserved.put("date", "it is the time the message is composed");
        reserved.put("message-id", "it derives from the field id, so give id to control it");
        reserved.put("mime-version", "it is always 1.0");
        reserved.put("content-type", "it follows from text, html and attachments; use attachments[i].contentType for files");
        reserved.put("content-transfer-encoding", "directmx chooses it from the content");
        reserved.put("received", "receiving servers add it");
        reserved.put("dkim-signature", "directmx signs the message itself");
        return Map.copyOf(reserved);
    }
}
