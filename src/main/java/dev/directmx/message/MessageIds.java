package dev.directmx.message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Message-IDs and MIME boundaries derived from the request, so that composing the same
 * request again (a retry, or the 7-bit form) gives the same ones.
 */
final class MessageIds {

    /** RFC 4648 §6 base32, lower-cased: letters and digits only, safe in any header. */
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    /** 26 base32 characters carry 130 bits; the first 128 bits of SHA-256 make collisions negligible. */
    static final int HASH_CHARS = 26;

    private MessageIds() {
    }

    /**
     * {@code <hash@sender-a-label>} (RFC 5322 §3.6.4). The hash covers the client's {@code
     * id} and the sender's address when an id is given, so two clients that use the same
     * key for different senders get different IDs; otherwise it covers the canonical JSON.
     */
    static String messageId(MessageRequest request, Mailbox sender, byte[] contentHash) {
        byte[] hash = request.id() == null ? contentHash
                : sha256("id\0" + request.id() + "\0" + sender.localPart().toLowerCase(Locale.ROOT) + "@"
                        + sender.asciiDomain());
        return "<" + base32(hash, HASH_CHARS) + "@" + sender.asciiDomain() + ">";
    }

    /**
     * A MIME boundary (RFC 2046 §5.1.1, at most 70 characters). It derives from the hash of
     * the whole request, text included, so the text cannot contain it: that would need a
     * SHA-256 preimage. {@code =_} cannot occur in base64 or quoted-printable lines either.
     */
    static String boundary(byte[] contentHash, String kind) {
        return "=_dmx_" + base32(contentHash, HASH_CHARS) + "_" + kind;
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    static String base32(byte[] bytes, int chars) {
        StringBuilder out = new StringBuilder(chars);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < bytes.length && out.length() < chars; i++) {
            buffer = (buffer << 8) | (bytes[i] & 0xff);
            bits += 8;
            while (bits >= 5 && out.length() < chars) {
                out.append(BASE32[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return out.toString();
    }
}
