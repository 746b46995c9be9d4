package dev.directmx.dkim;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How directmx signs: canonicalization, the header fields signed, and how long signatures live.
 *
 * @param headerCanonicalization {@code relaxed} by default: it survives the re-folding that
 *     relays do; {@code simple} breaks on any change
 * @param bodyCanonicalization {@code relaxed} by default, for the same reason
 * @param signedHeaders the fields signed when present, each instance once (RFC 6376 §5.4.2)
 * @param oversignedHeaders fields listed once more than they occur, so that adding one later
 *     breaks the signature (RFC 6376 §8.15); From by default, the field DMARC judges
 * @param expiry how long after signing a signature is valid (the {@code x=} tag); empty for none,
 *     the default, because a message retried for days must still verify when it finally arrives
 */
public record SigningSettings(Canonicalization headerCanonicalization, Canonicalization bodyCanonicalization,
        List<String> signedHeaders, List<String> oversignedHeaders, Optional<Duration> expiry) {

    /** RFC 6376 §5.4.1's recommended fields that directmx's messages carry, and the list headers. */
    public static final List<String> DEFAULT_HEADERS = List.of("from", "to", "cc", "subject", "date", "message-id",
            "mime-version", "content-type", "reply-to", "in-reply-to", "references", "list-unsubscribe",
            "list-unsubscribe-post");

    public SigningSettings {
        Objects.requireNonNull(headerCanonicalization, "headerCanonicalization");
        Objects.requireNonNull(bodyCanonicalization, "bodyCanonicalization");
        signedHeaders = lowerCase(signedHeaders);
        oversignedHeaders = lowerCase(oversignedHeaders);
        Objects.requireNonNull(expiry, "expiry");
        if (!signedHeaders.contains("from")) {
            // RFC 6376 §5.4: "The From header field MUST be signed".
            throw new IllegalArgumentException("the signed header fields must include From (RFC 6376 §5.4)");
        }
        if (signedHeaders.contains("dkim-signature")) {
            throw new IllegalArgumentException("DKIM-Signature cannot be among the signed header fields");
        }
        expiry.ifPresent(e -> {
            if (e.isNegative() || e.isZero()) {
                throw new IllegalArgumentException("the DKIM signature lifetime must be positive, not " + e);
            }
        });
    }

    /** relaxed/relaxed, {@link #DEFAULT_HEADERS}, From oversigned, no expiry. */
    public static SigningSettings defaults() {
        return new SigningSettings(Canonicalization.RELAXED, Canonicalization.RELAXED, DEFAULT_HEADERS,
                List.of("from"), Optional.empty());
    }

    /** These settings with canonicalization written as the {@code c=} tag: {@code relaxed/simple}. */
    public SigningSettings withCanonicalization(String where, String text) {
        String[] parts = text.strip().split("/", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException(where + ": '" + text + "' is not HEADER/BODY, e.g. relaxed/relaxed");
        }
        Canonicalization header = Canonicalization.parse(where, parts[0]);
        // RFC 6376 §3.5: "c=relaxed" alone means relaxed headers and a simple body.
        Canonicalization body = parts.length == 2 ? Canonicalization.parse(where, parts[1]) : Canonicalization.SIMPLE;
        return new SigningSettings(header, body, signedHeaders, oversignedHeaders, expiry);
    }

    /** These settings with signatures valid for {@code lifetime} after signing. */
    public SigningSettings withExpiry(Duration lifetime) {
        return new SigningSettings(headerCanonicalization, bodyCanonicalization, signedHeaders, oversignedHeaders,
                Optional.of(lifetime));
    }

    /** The {@code c=} value. */
    String canonicalizationTag() {
        return headerCanonicalization.tag() + "/" + bodyCanonicalization.tag();
    }

    private static List<String> lowerCase(List<String> names) {
        return names.stream().map(n -> n.strip().toLowerCase(Locale.ROOT)).distinct().toList();
    }
}
