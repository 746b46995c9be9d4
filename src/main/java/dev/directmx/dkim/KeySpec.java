package dev.directmx.dkim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One configured key: the domain it signs for, its selector and where to read it, written
 * {@code DOMAIN/SELECTOR=SOURCE}, e.g. {@code example.com/ed2026=ssm:/directmx/dkim/ed2026}.
 * Two specs for one domain sign every message from it twice (say with RSA and Ed25519).
 */
public record KeySpec(String domain, String selector, KeySource source) {

    public KeySpec {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(source, "source");
    }

    /** The spec as written, which names the key and its source but never holds the key. */
    public String describe() {
        return domain + "/" + selector + "=" + source.describe();
    }

    /**
     * Parses a list of specs separated by commas, spaces or new lines; an empty text is an
     * empty list.
     *
     * @param where the setting read ({@code DIRECTMX_DKIM_KEYS}, {@code --dkim-key}), for messages
     * @throws IllegalArgumentException naming {@code where}, the entry at fault and the form expected
     */
    public static List<KeySpec> parseList(String where, String text) {
        List<KeySpec> specs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String entry : text.strip().split("[,\\s]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            KeySpec spec = parse(where, entry);
            if (!seen.add(spec.domain() + "/" + spec.selector())) {
                throw new IllegalArgumentException(where + ": the key " + spec.domain() + "/" + spec.selector()
                        + " is configured twice; give each selector once");
            }
            specs.add(spec);
        }
        return List.copyOf(specs);
    }

    /** Parses one {@code DOMAIN/SELECTOR=SOURCE}. */
    public static KeySpec parse(String where, String entry) {
        int slash = entry.indexOf('/');
        int equals = entry.indexOf('=');
        if (slash <= 0 || equals < slash + 2) {
            throw new IllegalArgumentException(where + ": '" + entry + "' is not DOMAIN/SELECTOR=SOURCE, e.g."
                    + " example.com/rsa2026=file:/etc/directmx/rsa2026.pem");
        }
        String keyName = entry.substring(0, equals);
        try {
            String domain = SigningKey.domain(entry.substring(0, slash));
            String selector = entry.substring(slash + 1, equals).strip().toLowerCase(java.util.Locale.ROOT);
            KeySource source = KeySource.parse(where + " (" + keyName + ")", entry.substring(equals + 1));
            return new KeySpec(domain, selector, source);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith(where) ? e.getMessage()
                    : where + " (" + keyName + "): " + e.getMessage(), e);
        }
    }
}
