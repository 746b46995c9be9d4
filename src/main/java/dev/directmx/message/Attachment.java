package dev.directmx.message;

/**
 * A file attached to a message, as it appears in the JSON message.
 *
 * @param filename the name the recipient sees; required, at most 255 octets of UTF-8;
 *     non-ASCII names are written with RFC 2231 encoding
 * @param contentType a MIME type such as {@code application/pdf}, with parameters if
 *     wanted; {@code null} means {@code application/octet-stream}
 * @param content the file's bytes in base64 (RFC 4648 §4); line breaks are ignored
 */
public record Attachment(String filename, String contentType, String content) {
}
