package dev.directmx.dkim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A message split into its header fields and the offset where its body starts (RFC 5322 §2.1:
 * the header section ends at the first empty line). Each field keeps its raw octets, folded
 * lines and final CRLF included, because simple canonicalization hashes them as they are.
 */
record HeaderSection(List<Field> fields, int bodyStart) {

    /** One header field: its name and its octets from the name to the final CRLF. */
    record Field(String name, byte[] raw) {
        String lowerName() {
            return name.toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Parses the header section of a message with CRLF line ends.
     *
     * @throws IllegalArgumentException when a header line is neither a field nor a continuation
     */
    static HeaderSection parse(byte[] message) {
        List<Field> fields = new ArrayList<>();
        int position = 0;
        while (position < message.length) {
            int lineEnd = Canonicalization.indexOfCrlf(message, position);
            if (lineEnd == position) {
                return new HeaderSection(fields, position + 2); // the empty line: the body follows
            }
            // A last header line may lack its CRLF when the message has no body.
            int fieldEnd = lineEnd < 0 ? message.length : lineEnd + 2;
            // A field continues on every following line that starts with WSP (RFC 5322 §2.2.3).
            while (fieldEnd < message.length && (message[fieldEnd] == ' ' || message[fieldEnd] == '\t')) {
                int next = Canonicalization.indexOfCrlf(message, fieldEnd);
                fieldEnd = next < 0 ? message.length : next + 2;
            }
            int colon = colon(message, position, fieldEnd);
            String name = new String(message, position, colon - position, StandardCharsets.ISO_8859_1).strip();
            fields.add(new Field(name, java.util.Arrays.copyOfRange(message, position, fieldEnd)));
            position = fieldEnd;
        }
        return new HeaderSection(fields, message.length);
    }

    private static int colon(byte[] message, int from, int to) {
        for (int i = from; i < to; i++) {
            if (message[i] == ':') {
                return i;
            }
            if (message[i] == '\r' || message[i] == '\n') {
                break;
            }
        }
        String line = new String(message, from, Math.min(to - from, 60), StandardCharsets.ISO_8859_1).strip();
        throw new IllegalArgumentException("the message has a header line that is not a field: '" + line + "'");
    }

    /** How many fields carry {@code lowerName}. */
    int count(String lowerName) {
        return (int) fields.stream().filter(f -> f.lowerName().equals(lowerName)).count();
    }
}
