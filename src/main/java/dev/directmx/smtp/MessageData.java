package dev.directmx.smtp;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The message octets the client may put on the wire, and what they need from the server.
 *
 * @param bytes the message as composed, CRLF line ends
 * @param eightBit whether {@code bytes} holds octets above 127, which need BODY=8BITMIME (RFC 6152)
 * @param needsSmtpUtf8 whether addresses or headers are UTF-8, which needs SMTPUTF8 (RFC 6531)
 * @param sevenBit the same message re-encoded to 7-bit for servers without 8BITMIME; called at
 *     most once per session, only when needed
 */
public record MessageData(byte[] bytes, boolean eightBit, boolean needsSmtpUtf8, Supplier<byte[]> sevenBit) {
    public MessageData {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(sevenBit, "sevenBit");
    }

    /** A message that is already 7-bit ASCII. */
    public static MessageData ascii(byte[] bytes) {
        return new MessageData(bytes, false, false, () -> bytes);
    }
}
