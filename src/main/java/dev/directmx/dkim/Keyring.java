package dev.directmx.dkim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys directmx signs with, by domain. Loaded once when the deliverer starts (once per
 * Lambda execution environment), so a missing or unreadable key stops the start with a message
 * naming it, rather than mail going out unsigned. Immutable and thread-safe.
 */
public final class Keyring {

    private static final Keyring EMPTY = new Keyring(Map.of());

    private final Map<String, List<SigningKey>> byDomain;

    private Keyring(Map<String, List<SigningKey>> byDomain) {
        this.byDomain = byDomain;
    }

    public static Keyring empty() {
        return EMPTY;
    }

    /** A keyring of keys already in memory. */
    public static Keyring of(List<SigningKey> keys) {
        Map<String, List<SigningKey>> byDomain = new LinkedHashMap<>();
        for (SigningKey key : keys) {
            byDomain.computeIfAbsent(key.domain(), d -> new ArrayList<>()).add(key);
        }
        byDomain.replaceAll((d, list) -> List.copyOf(list));
        return new Keyring(Map.copyOf(byDomain));
    }

    /**
     * Reads and parses every key in {@code specs}.
     *
     * @throws KeyUnavailableException for the first key that cannot be read or parsed, naming
     *     it; never containing key material
     */
    public static Keyring load(List<KeySpec> specs, KeyMaterial material) throws KeyUnavailableException {
        List<SigningKey> keys = new ArrayList<>();
        for (KeySpec spec : specs) {
            String text;
            try {
                text = material.read(spec.source());
            } catch (KeyUnavailableException e) {
                throw new KeyUnavailableException("the DKIM key " + spec.domain() + "/" + spec.selector() + ": "
                        + e.getMessage(), e);
            }
            try {
                keys.add(new SigningKey(spec.domain(), spec.selector(),
                        PrivateKeys.parse("the DKIM key " + spec.describe(), text)));
            } catch (IllegalArgumentException e) {
                throw new KeyUnavailableException(e.getMessage().startsWith("the DKIM key") ? e.getMessage()
                        : "the DKIM key " + spec.describe() + ": " + e.getMessage());
            }
        }
        return of(keys);
    }

    /**
     * The keys for mail from {@code domain}: its own, or else the nearest parent domain's. A
     * parent's signature still aligns with the From domain under DMARC's default relaxed
     * alignment (RFC 7489 §3.1.1), so one key for example.com covers news.example.com.
     */
    public List<SigningKey> keysFor(String domain) {
        String d = domain.toLowerCase(java.util.Locale.ROOT);
        while (true) {
            List<SigningKey> keys = byDomain.get(d);
            if (keys != null) {
                return keys;
            }
            int dot = d.indexOf('.');
            // Stop before a bare top-level domain: nobody signs for "com".
            if (dot < 0 || d.indexOf('.', dot + 1) < 0) {
                return List.of();
            }
            d = d.substring(dot + 1);
        }
    }

    public boolean isEmpty() {
        return byDomain.isEmpty();
    }

    /** Every key, grouped by domain in the order configured. */
    public List<SigningKey> keys() {
        return byDomain.values().stream().flatMap(List::stream).toList();
    }

    @Override
    public String toString() {
        return "Keyring" + keys();
    }
}
