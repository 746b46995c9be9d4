package dev.directmx.message;

import java.nio.charset.StandardCharsets;

/** Small checks on strings shared by the validator, the address parser and the renderer. */
final class Text {

    /** Values quoted in error messages are cut here so that a message stays one readable line. */
    private static final int MAX_QUOTED_CHARS = 120;

    private Text() {
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * Rejects the characters that would break a header line: CR and LF (a new header could
     * follow them, which is header injection) and the other C0 controls and DEL, which
     * RFC 5322 §3.2.5 does not allow in header text. TAB is allowed.
     */
    static void requireSingleLine(String value, String field) throws InvalidMessageException {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                throw new InvalidMessageException(field, quote(value) + " contains a line break (CR or LF),"
                        + " which would let it write its own header lines (header injection); remove the line break");
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new InvalidMessageException(field, quote(value) + " contains the control character "
                        + String.format("U+%04X", (int) c) + ", which a header may not contain; remove it");
            }
        }
    }

    /** Quotes a value for an error message: control characters escaped, long values cut. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder("'");
        int end = Math.min(value.length(), MAX_QUOTED_CHARS);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (end < value.length()) {
            out.append("...(").append(value.length()).append(" characters)");
        }
        return out.append('\'').toString();
    }
}
