package dev.directmx.smtp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The service extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1). A server
 * greeted with HELO has none. One instance per EHLO: STARTTLS discards it (RFC 3207 §4.2).
 */
public final class Capabilities {
    public static final String PIPELINING = "PIPELINING";          // RFC 2920
    public static final String EIGHT_BIT_MIME = "8BITMIME";        // RFC 6152
    public static final String SMTPUTF8 = "SMTPUTF8";              // RFC 6531
    public static final String SIZE = "SIZE";                      // RFC 1870
    public static final String CHUNKING = "CHUNKING";              // RFC 3030
    public static final String ENHANCED_STATUS_CODES = "ENHANCEDSTATUSCODES"; // RFC 2034
    public static final String STARTTLS = "STARTTLS";              // RFC 3207

    private static final Capabilities NONE = new Capabilities(Map.of(), false);

    private final Map<String, String> keywords;
    private final boolean extended;

    private Capabilities(Map<String, String> keywords, boolean extended) {
        this.keywords = keywords;
        this.extended = extended;
    }

    /** What a server greeted with HELO offers: nothing beyond RFC 5321's base commands. */
    public static Capabilities none() {
        return NONE;
    }

    /** Parses a 250 EHLO reply; its first line is the server's name, each further line one keyword. */
    public static Capabilities fromEhlo(SmtpReply ehlo) {
        Map<String, String> keywords = new LinkedHashMap<>();
        List<String> lines = ehlo.lines();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            String params = space < 0 ? "" : line.substring(space + 1).strip();
            keywords.putIfAbsent(keyword, params);
        }
        return new Capabilities(Map.copyOf(keywords), true);
    }

    /** Whether the server announced the keyword (case-insensitive, RFC 5321 §2.4). */
    public boolean has(String keyword) {
        return keywords.containsKey(keyword.toUpperCase(Locale.ROOT));
    }

    /** True after a successful EHLO; false after the HELO fallback. */
    public boolean extended() {
        return extended;
    }

    /**
     * The SIZE limit when the server announced one (RFC 1870 §4). {@code SIZE} without a number,
     * or {@code SIZE 0}, means the server takes SIZE= but states no limit.
     */
    public OptionalLong sizeLimit() {
        String value = keywords.get(SIZE);
        if (value == null || value.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long limit = Long.parseLong(value.split("\\s+")[0]);
            return limit > 0 ? OptionalLong.of(limit) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The announced keywords, for the transcript and results. */
    public List<String> keywords() {
        return List.copyOf(keywords.keySet());
    }

    @Override
    public String toString() {
        return extended ? String.join(" ", keywords.keySet()) : "(HELO: no extensions)";
    }
}
