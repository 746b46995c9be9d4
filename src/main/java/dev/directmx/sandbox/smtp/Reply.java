package dev.directmx.sandbox.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One SMTP reply as the server sends it: a three-digit code and one or more text lines
 * (RFC 5321 §4.2). Immutable; canned replies are parsed once, when the script is built.
 *
 * @param code the reply code, 200 to 599
 * @param texts the text of each line, after the code and its separator; may be empty strings
 */
record Reply(int code, List<String> texts) {

    private static final Pattern LINE = Pattern.compile("([2-5][0-9][0-9])(?:[ -](.*))?");

    Reply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code must be 2xx to 5xx: " + code);
        }
        texts = List.copyOf(texts);
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("a reply needs at least one line");
        }
    }

    static Reply of(int code, String text) {
        return new Reply(code, List.of(text));
    }

    /**
     * Parses a reply written as a test would write it: {@code "550 5.1.1 user unknown"}, or several
     * lines separated by {@code \n} that all carry the same code. Each line's separator after the
     * code may be a space or a hyphen; the server writes the hyphens itself.
     *
     * @throws IllegalArgumentException if a line does not start with a 2xx-5xx code, the codes
     *     differ, or a line holds a CR
     */
    static Reply parse(String reply) {
        Integer code = null;
        List<String> texts = new ArrayList<>();
        for (String line : reply.split("\n", -1)) {
            var matcher = LINE.matcher(line);
            if (!matcher.matches() || line.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("not an SMTP reply line (\"250 2.0.0 text\"): " + line);
            }
            int lineCode = Integer.parseInt(matcher.group(1));
            if (code != null && code != lineCode) {
                throw new IllegalArgumentException("every line of a reply needs the same code: " + reply);
            }
            code = lineCode;
            texts.add(matcher.group(2) == null ? "" : matcher.group(2));
        }
        return new Reply(code, texts);
    }

    /** Whether this is a positive completion reply (2yz, RFC 5321 §4.2.1). */
    boolean positive() {
        return code / 100 == 2;
    }

    /** The lines as they go on the wire, without CRLF: hyphen after the code on all but the last. */
    List<String> wireLines() {
        List<String> lines = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String separator = i < texts.size() - 1 ? "-" : " ";
            String text = texts.get(i);
            lines.add(text.isEmpty() && separator.equals(" ") ? Integer.toString(code) : code + separator + text);
        }
        return lines;
    }

    byte[] toBytes() {
        StringBuilder wire = new StringBuilder();
        for (String line : wireLines()) {
            wire.append(line).append("\r\n");
        }
        return wire.toString().getBytes(StandardCharsets.UTF_8);
    }
}
