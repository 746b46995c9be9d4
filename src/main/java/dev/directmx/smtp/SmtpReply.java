package dev.directmx.smtp;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMTP reply: the three-digit code, the enhanced status code when the server gave one, the
 * command it answered and its text lines.
 *
 * <p>Replies are values: a 550 is a perfectly good answer, not an exception. Only transport
 * trouble (timeouts, resets, TLS failures) is thrown as an {@link java.io.IOException}.
 *
 * @param code the reply code (RFC 5321 §4.2)
 * @param enhancedCode the enhanced status code such as {@code 5.1.1} (RFC 3463, RFC 2034), or
 *     {@code null} when the reply carried none
 * @param command the command this reply answered ({@code "connect"} for the greeting)
 * @param lines the text of each line, without code, separator or enhanced code
 * @param local true when directmx decided this itself (a DNS result, a refused connection, a
 *     rule such as SMTPUTF8) and no server said it
 */
public record SmtpReply(int code, String enhancedCode, String command, List<String> lines, boolean local) {

    // RFC 2034 §4: the enhanced code follows the reply code and a space; its class digit must
    // match the reply's first digit, otherwise it is ordinary text.
    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s+|$)");

    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("SMTP reply code out of range: " + code);
        }
        Objects.requireNonNull(command, "command");
        lines = List.copyOf(lines);
    }

    /**
     * Builds a reply from the raw lines the server sent (each {@code "250-text"} or {@code "250 text"}).
     * Enhanced codes are taken from the first line and removed from every line that repeats them.
     */
    public static SmtpReply fromWire(String command, int code, List<String> texts) {
        String enhanced = null;
        java.util.ArrayList<String> cleaned = new java.util.ArrayList<>(texts.size());
        for (String text : texts) {
            Matcher m = ENHANCED.matcher(text);
            if (m.find() && m.group(1).charAt(0) == Character.forDigit(code / 100, 10)) {
                if (enhanced == null) {
                    enhanced = m.group(1) + "." + m.group(2) + "." + m.group(3);
                }
                cleaned.add(text.substring(m.end()));
            } else {
                cleaned.add(text);
            }
        }
        return new SmtpReply(code, enhanced, command, cleaned, false);
    }

    /**
     * A reply directmx decided itself, in the form a server would have used, so that every
     * recipient's outcome carries a code, an enhanced code (RFC 3463) and a text.
     */
    public static SmtpReply local(int code, String enhancedCode, String command, String text) {
        return new SmtpReply(code, enhancedCode, command, List.of(text), true);
    }

    /** 2xx: the command was accepted (RFC 5321 §4.2.1). */
    public boolean isPositive() {
        return code / 100 == 2;
    }

    /** 3xx: the server waits for more (354 after DATA). */
    public boolean isIntermediate() {
        return code / 100 == 3;
    }

    /** 4xx: transient negative completion (RFC 5321 §4.2.1). */
    public boolean isTransient() {
        return code / 100 == 4;
    }

    /** 5xx: permanent negative completion (RFC 5321 §4.2.1), which the seed still retries. */
    public boolean isPermanent() {
        return code / 100 == 5;
    }

    /** The text of all lines joined with spaces. */
    public String text() {
        return String.join(" ", lines);
    }

    /** The reply as a server would print its last line: {@code 550 5.1.1 user unknown}. */
    @Override
    public String toString() {
        return code + (enhancedCode == null ? "" : " " + enhancedCode) + (lines.isEmpty() ? "" : " " + text());
    }
}
