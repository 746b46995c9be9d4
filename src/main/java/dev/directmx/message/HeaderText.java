package dev.directmx.message;

import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Header values made safe to write: folded with Angus's {@link MimeUtility#fold}, encoded
 * as RFC 2047 encoded-words when they are not ASCII (unless UTF-8 headers are allowed, RFC
 * 6532), and never longer than 998 octets a line (RFC 5322 §2.1.1).
 */
final class HeaderText {

    /** RFC 5322 §2.1.1: a line is at most 998 octets, excluding the CRLF. */
    static final int MAX_LINE_OCTETS = 998;

    /**
     * Octets of UTF-8 per forced encoded-word: base64 of 45 octets is 60 characters, and with
     * {@code =?UTF-8?B?} and {@code ?=} the word is 72, within RFC 2047 §2's 75.
     */
    private static final int ENCODED_WORD_OCTETS = 45;

    private HeaderText() {
    }

    /**
     * An unstructured value (RFC 5322 §3.2.5) such as Subject: folded as it is when that
     * fits, else as Angus's encoded-words, else (for a value with a very long run without
     * spaces) as base64 encoded-words of 45 octets when {@code mayForceEncoding}.
     *
     * @param mayForceEncoding false for extra headers, whose structure (a URL in
     *     List-Unsubscribe, say) encoded-words would break; they get an error instead
     * @throws InvalidMessageException naming {@code field} when no form fits
     */
    static String unstructured(String name, String value, boolean utf8, boolean mayForceEncoding, String field)
            throws InvalidMessageException {
        int used = name.length() + 2;
        boolean ascii = Text.isAscii(value);
        if (ascii || utf8) {
            String folded = MimeUtility.fold(used, value);
            if (fits(used, folded)) {
                return folded;
            }
        }
        if (!ascii) {
            String folded = MimeUtility.fold(used, encodeText(value));
            if (fits(used, folded)) {
                return folded;
            }
        }
        if (mayForceEncoding) {
            return encodedWords(value);
        }
        throw tooLongToFold(field);
    }

    /** A structured value (an address list) folded at its spaces, checked against the line limit. */
    static String folded(String name, String value, String field) throws InvalidMessageException {
        int used = name.length() + 2;
        String folded = MimeUtility.fold(used, value);
        if (!fits(used, folded)) {
            throw tooLongToFold(field);
        }
        return folded;
    }

    /** True when no line of the folded value, the first after {@code used} characters, exceeds 998 octets. */
    static boolean fits(int used, String folded) {
        int lineStart = 0;
        int extra = used;
        while (true) {
            int end = folded.indexOf("\r\n", lineStart);
            String line = end < 0 ? folded.substring(lineStart) : folded.substring(lineStart, end);
            if (extra + line.getBytes(StandardCharsets.UTF_8).length > MAX_LINE_OCTETS) {
                return false;
            }
            if (end < 0) {
                return true;
            }
            lineStart = end + 2;
            extra = 0;
        }
    }

    private static String encodeText(String value) {
        try {
            return MimeUtility.encodeText(value, "UTF-8", null);
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }

    /**
     * RFC 2047 base64 encoded-words of at most 45 octets each, one per line. Decoders drop
     * the folding white space between adjacent encoded-words (RFC 2047 §6.2), so a word may
     * be split anywhere between code points.
     */
    static String encodedWords(String value) {
        StringBuilder out = new StringBuilder();
        int start = 0;
        while (start < value.length()) {
            int end = start;
            int octets = 0;
            while (end < value.length()) {
                int codePoint = value.codePointAt(end);
                int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
                if (octets + size > ENCODED_WORD_OCTETS) {
                    break;
                }
                octets += size;
                end += Character.charCount(codePoint);
            }
            if (!out.isEmpty()) {
                out.append("\r\n ");
            }
            byte[] word = value.substring(start, end).getBytes(StandardCharsets.UTF_8);
            out.append("=?UTF-8?B?").append(Base64.getEncoder().encodeToString(word)).append("?=");
            start = end;
        }
        return out.toString();
    }

    private static InvalidMessageException tooLongToFold(String field) {
        return new InvalidMessageException(field, "has a run of characters without spaces too long to fold into"
                + " lines of at most " + MAX_LINE_OCTETS + " octets (RFC 5322 §2.1.1); add spaces or shorten it");
    }
}
