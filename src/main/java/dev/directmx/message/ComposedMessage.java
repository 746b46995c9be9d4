package dev.directmx.message;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A message composed and ready for DATA or BDAT: its octets, its Message-ID and what the
 * receiving server must support to take it.
 *
 * <p>Immutable and thread-safe; the 7-bit form is made on first use and kept. {@link
 * #bytes()} and {@link #sevenBit()} return copies.
 */
public final class ComposedMessage {

    private final String messageId;
    private final byte[] bytes;
    private final boolean eightBit;
    private final boolean needsSmtpUtf8;
    private final boolean utf8Headers;
    private final Supplier<byte[]> sevenBitRenderer;
    private byte[] sevenBit; // guarded by this

    /** Takes ownership of {@code bytes}, which the caller must not change afterwards. */
    ComposedMessage(String messageId, byte[] bytes, boolean needsSmtpUtf8, boolean utf8Headers,
                    Supplier<byte[]> sevenBitRenderer) {
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.bytes = Objects.requireNonNull(bytes, "bytes");
        this.eightBit = hasEightBitOctet(bytes);
        this.needsSmtpUtf8 = needsSmtpUtf8;
        this.utf8Headers = utf8Headers;
        this.sevenBitRenderer = Objects.requireNonNull(sevenBitRenderer, "sevenBitRenderer");
    }

    /** The Message-ID header's value, angle brackets included: {@code <hash@sender-domain>}. */
    public String messageId() {
        return messageId;
    }

    /**
     * The message as composed: CRLF line ends, no line over 998 octets, text parts in 8bit
     * where they need it. Send it with {@code BODY=8BITMIME} when {@link #eightBit()}.
     */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** True when {@link #bytes()} holds an octet over 127, so the server must offer 8BITMIME (RFC 6152). */
    public boolean eightBit() {
        return eightBit;
    }

    /**
     * True when an address in the envelope or the headers has a non-ASCII local part, so
     * the transaction needs SMTPUTF8 (RFC 6531). See {@link Mailbox#needsSmtpUtf8()} to
     * decide per recipient.
     */
    public boolean needsSmtpUtf8() {
        return needsSmtpUtf8;
    }

    /**
     * True when a header address (From, To, Cc, Reply-To) has a non-ASCII local part, so the
     * headers are UTF-8 (RFC 6532) and every transaction needs SMTPUTF8. A non-ASCII Bcc or
     * envelope address alone leaves the headers ASCII: then only that address needs it.
     */
    public boolean utf8Headers() {
        return utf8Headers;
    }

    /**
     * The same message for a server without 8BITMIME: every 8bit text part re-encoded as
     * quoted-printable, with the same headers, Message-ID and Date. Equal to {@link
     * #bytes()} when that is 7-bit already.
     *
     * @throws IllegalStateException when {@link #utf8Headers()}: UTF-8 headers cannot be
     *     downgraded (RFC 6532 messages go only to SMTPUTF8 servers, which have 8BITMIME)
     */
    public byte[] sevenBit() {
        if (utf8Headers) {
            throw new IllegalStateException("message " + messageId + " has UTF-8 headers (a non-ASCII local part)"
                    + " and cannot be downgraded to 7 bit; it needs a server with SMTPUTF8");
        }
        if (!eightBit) {
            return bytes();
        }
        synchronized (this) {
            if (sevenBit == null) {
                sevenBit = sevenBitRenderer.get();
            }
            return sevenBit.clone();
        }
    }

    /** The size of {@link #bytes()} in octets, for the SIZE parameter (RFC 1870). */
    public int size() {
        return bytes.length;
    }

    @Override
    public String toString() {
        return "ComposedMessage[messageId=" + messageId + ", size=" + bytes.length + ", eightBit=" + eightBit
                + ", needsSmtpUtf8=" + needsSmtpUtf8 + "]";
    }

    private static boolean hasEightBitOctet(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }
}
