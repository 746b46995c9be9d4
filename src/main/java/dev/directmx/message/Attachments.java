package dev.directmx.message;

import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.ParseException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** Checks and decodes the attachments of a request. */
final class Attachments {

    /**
     * The longest attachment name: 255 octets, the file-name limit of common file systems.
     * It also keeps the RFC 2231 encoded parameter (at most three characters per octet)
     * under the 998-octet line limit, since Angus does not split encoded parameters.
     */
    static final int MAX_FILENAME_OCTETS = 255;

    /** The longest content type; RFC 6838 §4.2 limits type and subtype names to 127 characters each. */
    static final int MAX_CONTENT_TYPE_CHARS = 256;

    static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    private Attachments() {
    }

    static List<ValidatedMessage.DecodedAttachment> decode(List<Attachment> attachments)
            throws InvalidMessageException {
        List<ValidatedMessage.DecodedAttachment> decoded = new ArrayList<>(attachments.size());
        for (int i = 0; i < attachments.size(); i++) {
            String field = "attachments[" + i + "]";
            Attachment attachment = attachments.get(i);
            if (attachment == null) {
                throw new InvalidMessageException(field, "is null; give an object with filename, contentType and content");
            }
            decoded.add(new ValidatedMessage.DecodedAttachment(
                    filename(attachment.filename(), field + ".filename"),
                    contentType(attachment.contentType(), field + ".contentType"),
                    content(attachment.content(), field + ".content")));
        }
        return List.copyOf(decoded);
    }

    private static String filename(String filename, String field) throws InvalidMessageException {
        if (filename == null || filename.isBlank()) {
            throw new InvalidMessageException(field, "is missing; give the file name the recipient will see");
        }
        Text.requireSingleLine(filename, field);
        int octets = filename.getBytes(StandardCharsets.UTF_8).length;
        if (octets > MAX_FILENAME_OCTETS) {
            throw new InvalidMessageException(field, Text.quote(filename) + " is " + octets + " octets of UTF-8;"
                    + " at most " + MAX_FILENAME_OCTETS + " are allowed, so shorten it");
        }
        return filename;
    }

    private static String contentType(String contentType, String field) throws InvalidMessageException {
        if (contentType == null) {
            return DEFAULT_CONTENT_TYPE;
        }
        Text.requireSingleLine(contentType, field);
        if (contentType.length() > MAX_CONTENT_TYPE_CHARS) {
            throw new InvalidMessageException(field, Text.quote(contentType) + " is longer than "
                    + MAX_CONTENT_TYPE_CHARS + " characters");
        }
        ContentType parsed;
        try {
            parsed = new ContentType(contentType);
        } catch (ParseException e) {
            throw new InvalidMessageException(field, Text.quote(contentType) + " is not a MIME type (Angus: "
                    + e.getMessage() + "); write it as type/subtype, such as application/pdf", e);
        }
        // RFC 2046 §5.1 and §5.2.1: multipart and message entities may not be base64, and
        // attachments are always sent as base64.
        String primary = parsed.getPrimaryType().toLowerCase(Locale.ROOT);
        if (primary.equals("multipart") || primary.equals("message")) {
            throw new InvalidMessageException(field, Text.quote(contentType) + " cannot be sent as a base64"
                    + " attachment (RFC 2046); use " + DEFAULT_CONTENT_TYPE + " instead");
        }
        return contentType;
    }

    private static byte[] content(String content, String field) throws InvalidMessageException {
        if (content == null) {
            throw new InvalidMessageException(field, "is missing; give the file's bytes in base64");
        }
        // Base64 that was wrapped at 76 characters (RFC 2045 §6.8) is common; other
        // characters outside the alphabet are errors, not noise to skip.
        String compact = content.replaceAll("[ \t\r\n]", "");
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException e) {
            throw new InvalidMessageException(field, "is not valid base64 (" + e.getMessage() + "); give the file's"
                    + " bytes in standard base64 (RFC 4648 §4)", e);
        }
    }
}
