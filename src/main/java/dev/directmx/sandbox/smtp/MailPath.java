package dev.directmx.sandbox.smtp;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The argument of MAIL FROM or RCPT TO: the address inside the angle brackets and the ESMTP
 * parameters after it (RFC 5321 §4.1.1.2, §4.1.1.3).
 *
 * @param address the path without angle brackets and without a source route; empty for {@code <>}
 * @param parameters the parameters as sent, such as {@code BODY=8BITMIME}
 */
record MailPath(String address, List<String> parameters) {

    MailPath {
        parameters = List.copyOf(parameters);
    }

    /**
     * Parses {@code FROM:<a@example.com> SIZE=10} (with {@code keyword} "FROM:") or the RCPT form.
     * A space after the colon is accepted, leniently, because many clients send one.
     *
     * @return the path, or {@code null} if the argument is not in that form
     */
    static MailPath parse(String argument, String keyword) {
        if (!argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
            return null;
        }
        String rest = argument.substring(keyword.length()).stripLeading();
        int close = rest.indexOf('>');
        if (!rest.startsWith("<") || close < 0) {
            return null;
        }
        List<String> parameters =
                Arrays.stream(rest.substring(close + 1).trim().split(" +")).filter(p -> !p.isEmpty()).toList();
        return new MailPath(withoutSourceRoute(rest.substring(1, close)), parameters);
    }

    /** The parameter names, upper case, without their values. */
    List<String> keywords() {
        return parameters.stream()
                .map(p -> p.contains("=") ? p.substring(0, p.indexOf('=')) : p)
                .map(k -> k.toUpperCase(Locale.ROOT))
                .toList();
    }

    /** The value of {@code keyword=value}, or {@code null} if the parameter is absent. */
    String value(String keyword) {
        for (String parameter : parameters) {
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).equalsIgnoreCase(keyword)) {
                return parameter.substring(equals + 1);
            }
        }
        return null;
    }

    boolean asciiAddress() {
        return address.chars().allMatch(c -> c < 0x80);
    }

    // RFC 5321 §4.1.2 and appendix C: servers SHOULD ignore a source route ("@a,@b:user@c").
    private static String withoutSourceRoute(String path) {
        int colon = path.indexOf(':');
        return path.startsWith("@") && colon > 0 ? path.substring(colon + 1) : path;
    }
}
