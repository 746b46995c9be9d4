package dev.directmx.delivery;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Reads the durations people write in options and environment variables. */
public final class Durations {

    private Durations() {
    }

    /**
     * Parses {@code 500ms}, {@code 90s}, {@code 5m}, {@code 12h}, {@code 5d}, a bare number of
     * seconds, or ISO-8601 ({@code PT90S}). The result must be positive.
     *
     * @param name the option or variable, named in the error
     * @throws IllegalArgumentException naming {@code name}, the text and the accepted forms
     */
    public static Duration parse(String name, String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (t.startsWith("p")) {
                d = Duration.parse(t.toUpperCase(Locale.ROOT));
            } else if (t.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            } else if (t.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            } else if (t.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
            } else if (t.endsWith("d")) {
                d = Duration.ofDays(Long.parseLong(t.substring(0, t.length() - 1)));
            } else {
                d = Duration.ofSeconds(Long.parseLong(t));
            }
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": '" + text + "' must be longer than zero");
            }
            return d;
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": '" + text + "' is not a duration; write e.g. 90s, 5m, 12h or 5d");
        }
    }
}
