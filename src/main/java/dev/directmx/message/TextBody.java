package dev.directmx.message;

import java.nio.charset.StandardCharsets;

/**
 * A text or HTML body ready for MIME: line ends normalised to CRLF and a transfer encoding
 * chosen from its octets.
 *
 * @param subtype {@code plain} or {@code html}
 * @param content the text with CRLF line ends, ending in CRLF unless empty
 * @param encoding the transfer encoding for a server with 8BITMIME
 */
record TextBody(String subtype, String content, TransferEncoding encoding) {

    /** RFC 5322 §2.1.1: lines must be at most 998 octets, excluding the CRLF. */
    static final int MAX_LINE_OCTETS = 998;

    /** The Content-Transfer-Encoding values directmx writes (RFC 2045 §6.1). */
    enum TransferEncoding {
        SEVEN_BIT("7bit"), EIGHT_BIT("8bit"), QUOTED_PRINTABLE("quoted-printable"), BASE64("base64");

        private final String token;

        TransferEncoding(String token) {
            this.token = token;
        }

        String token() {
            return token;
        }
    }

    static TextBody of(String subtype, String text) {
        String content = normaliseLineEnds(text);
        return new TextBody(subtype, content, choose(content));
    }

    /**
     * The encoding for a server without 8BITMIME (RFC 6152 §3): 8bit text becomes
     * quoted-printable, which keeps mostly-ASCII text readable; the rest are 7-bit already.
     */
    TransferEncoding sevenBitEncoding() {
        return encoding == TransferEncoding.EIGHT_BIT ? TransferEncoding.QUOTED_PRINTABLE : encoding;
    }

    /**
     * Bare CR and bare LF become CRLF (RFC 5322 §2.3 allows CR and LF only together), and
     * the text ends with CRLF so that the message does (RFC 5321 §4.1.1.4 needs one before
     * the final dot, and DKIM's body hash adds one otherwise).
     */
    static String normaliseLineEnds(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r') {
                out.append("\r\n");
                if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
            } else if (c == '\n') {
                out.append("\r\n");
            } else {
                out.append(c);
            }
        }
        if (!out.isEmpty() && !(out.charAt(out.length() - 1) == '\n')) {
            out.append("\r\n");
        }
        return out.toString();
    }

    /**
     * 7bit for ASCII with short lines, 8bit for UTF-8 with short lines (RFC 6152), and
     * quoted-printable when a line is longer than 998 octets or the text holds NUL, which
     * neither 7bit nor 8bit data may contain (RFC 2045 §2.7, §2.8).
     */
    private static TransferEncoding choose(String crlfText) {
        byte[] octets = crlfText.getBytes(StandardCharsets.UTF_8);
        boolean ascii = true;
        int lineOctets = 0;
        for (byte b : octets) {
            if (b == '\r' || b == '\n') {
                lineOctets = 0;
                continue;
            }
            if (b == 0 || ++lineOctets > MAX_LINE_OCTETS) {
                return TransferEncoding.QUOTED_PRINTABLE;
            }
            if (b < 0) {
                ascii = false;
            }
        }
        return ascii ? TransferEncoding.SEVEN_BIT : TransferEncoding.EIGHT_BIT;
    }
}
