package dev.directmx.smtp;

import java.io.ByteArrayOutputStream;

/**
 * Puts a message into the form SMTP carries: every line ends in CRLF (RFC 5321 §2.3.8: bare CR
 * and LF are not allowed) and the message ends with one. For DATA, a line starting with "." gets
 * a second one (RFC 5321 §4.5.2) and CRLF.CRLF ends the data (RFC 5321 §4.1.1.4); BDAT sends the
 * canonical form as it is (RFC 3030 §2).
 */
public final class DotStuffing {

    private DotStuffing() {
    }

    /** The message with CRLF line ends and a final CRLF: the octets for BDAT. */
    public static byte[] canonical(byte[] message) {
        return convert(message, false);
    }

    /** The octets to send after a 354 reply, including the terminating {@code .CRLF}. */
    public static byte[] forData(byte[] message) {
        byte[] stuffed = convert(message, true);
        byte[] withEnd = java.util.Arrays.copyOf(stuffed, stuffed.length + 3);
        withEnd[stuffed.length] = '.';
        withEnd[stuffed.length + 1] = '\r';
        withEnd[stuffed.length + 2] = '\n';
        return withEnd;
    }

    private static byte[] convert(byte[] message, boolean stuffDots) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + message.length / 64 + 8);
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (b == '\r' || b == '\n') {
                // CRLF, bare CR and bare LF all end a line.
                if (b == '\r' && i + 1 < message.length && message[i + 1] == '\n') {
                    i++;
                }
                out.write('\r');
                out.write('\n');
                lineStart = true;
                continue;
            }
            if (stuffDots && lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = false;
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }
}
