package dev.directmx.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The two DKIM canonicalization algorithms (RFC 6376 §3.4), for header fields and for the body.
 * Input is the SMTP wire form: lines end in CRLF.
 */
public enum Canonicalization {

    /** RFC 6376 §3.4.1 and §3.4.3: nothing may change. */
    SIMPLE("simple"),

    /** RFC 6376 §3.4.2 and §3.4.4: survives re-folding and changes in white space. */
    RELAXED("relaxed");

    private static final byte[] CRLF = {'\r', '\n'};

    private final String tag;

    Canonicalization(String tag) {
        this.tag = tag;
    }

    /** The name used in the {@code c=} tag. */
    public String tag() {
        return tag;
    }

    /** Parses {@code simple} or {@code relaxed}. */
    static Canonicalization parse(String where, String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "simple" -> SIMPLE;
            case "relaxed" -> RELAXED;
            default -> throw new IllegalArgumentException(where + ": '" + text + "' is not simple or relaxed");
        };
    }

    /**
     * One header field in canonical form. {@code raw} is the field as it appears, name to the
     * final CRLF, folded lines included; {@code withCrlf} false for the DKIM-Signature field
     * itself, which is hashed without its final CRLF (RFC 6376 §3.7).
     */
    byte[] header(byte[] raw, boolean withCrlf) {
        if (this == SIMPLE) {
            // RFC 6376 §3.4.1: the field exactly as it is.
            int length = raw.length;
            if (!withCrlf && endsWithCrlf(raw, length)) {
                length -= 2;
            }
            return java.util.Arrays.copyOf(raw, length);
        }
        return relaxedHeader(raw, withCrlf);
    }

    /** The canonical body (RFC 6376 §3.4.3, §3.4.4) of {@code message} from offset {@code start}. */
    byte[] body(byte[] message, int start) {
        return this == SIMPLE ? simpleBody(message, start) : relaxedBody(message, start);
    }

    private static byte[] relaxedHeader(byte[] raw, boolean withCrlf) {
        int colon = indexOf(raw, (byte) ':');
        // RFC 6376 §3.4.2: lower-case the name; delete white space around the colon.
        String name = new String(raw, 0, colon, StandardCharsets.ISO_8859_1).strip().toLowerCase(Locale.ROOT);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        out.writeBytes(name.getBytes(StandardCharsets.ISO_8859_1));
        out.write(':');
        // Unfold (drop every CRLF), turn each run of WSP into one SP, drop WSP at both ends.
        boolean pendingSpace = false;
        boolean started = false;
        for (int i = colon + 1; i < raw.length; i++) {
            byte b = raw[i];
            if (b == '\r' || b == '\n') {
                continue;
            }
            if (b == ' ' || b == '\t') {
                pendingSpace = started;
                continue;
            }
            if (pendingSpace) {
                out.write(' ');
                pendingSpace = false;
            }
            out.write(b);
            started = true;
        }
        if (withCrlf) {
            out.writeBytes(CRLF);
        }
        return out.toByteArray();
    }

    private static byte[] simpleBody(byte[] message, int start) {
        int end = message.length;
        // RFC 6376 §3.4.3: a body without a final CRLF gets one (as SMTP adds it)...
        boolean addCrlf = end > start && !endsWithCrlf(message, end);
        // ...and all empty lines at its end are ignored.
        if (!addCrlf) {
            while (end - start >= 4 && endsWithCrlf(message, end) && endsWithCrlf(message, end - 2)) {
                end -= 2;
            }
        }
        if (end == start || (end - start == 2 && endsWithCrlf(message, end))) {
            return CRLF.clone(); // "If there is no body ... a CRLF is added."
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - start + 2);
        out.write(message, start, end - start);
        if (addCrlf) {
            out.writeBytes(CRLF);
        }
        return out.toByteArray();
    }

    private static byte[] relaxedBody(byte[] message, int start) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length - start + 2);
        int pendingEmptyLines = 0;
        int lineStart = start;
        while (lineStart < message.length) {
            int lineEnd = indexOfCrlf(message, lineStart);
            int next = lineEnd < 0 ? message.length : lineEnd + 2;
            if (lineEnd < 0) {
                lineEnd = message.length;
            }
            byte[] line = relaxedLine(message, lineStart, lineEnd);
            if (line.length == 0) {
                // RFC 6376 §3.4.4: empty lines at the end of the body are ignored; keep count
                // until a non-empty line shows they were not at the end.
                pendingEmptyLines++;
            } else {
                for (; pendingEmptyLines > 0; pendingEmptyLines--) {
                    out.writeBytes(CRLF);
                }
                out.writeBytes(line);
                out.writeBytes(CRLF); // a non-empty last line without CRLF gets one
            }
            lineStart = next;
        }
        return out.toByteArray();
    }

    /** A body line with trailing WSP removed and each inner run of WSP turned into one SP. */
    private static byte[] relaxedLine(byte[] message, int from, int to) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(to - from);
        boolean pendingSpace = false;
        for (int i = from; i < to; i++) {
            byte b = message[i];
            if (b == ' ' || b == '\t') {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace) {
                line.write(' ');
                pendingSpace = false;
            }
            line.write(b);
        }
        return line.toByteArray();
    }

    private static boolean endsWithCrlf(byte[] bytes, int end) {
        return end >= 2 && bytes[end - 2] == '\r' && bytes[end - 1] == '\n';
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        throw new IllegalArgumentException("a header field without a colon");
    }

    static int indexOfCrlf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
