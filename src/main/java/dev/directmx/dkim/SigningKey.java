package dev.directmx.dkim;

import java.security.PrivateKey;
import java.security.interfaces.RSAKey;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A private key that signs for a domain under a selector: the signature's {@code d=} and
 * {@code s=}, and the key published at {@code SELECTOR._domainkey.DOMAIN}. {@link #toString()}
 * never shows the key.
 */
public record SigningKey(String domain, String selector, PrivateKey privateKey) {

    /** RFC 8301 §3.2: verifiers must not accept RSA keys under 1024 bits; 2048 is the advice. */
    static final int MIN_RSA_BITS = 1024;

    // RFC 6376 §3.1: a selector is a sub-domain (dot-separated labels of letters, digits, hyphens).
    private static final Pattern LABELS = Pattern.compile(
            "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");

    public SigningKey {
        Objects.requireNonNull(privateKey, "privateKey");
        domain = domain(domain);
        selector = Objects.requireNonNull(selector, "selector").strip().toLowerCase(Locale.ROOT);
        if (!LABELS.matcher(selector).matches()) {
            throw new IllegalArgumentException("DKIM selector '" + selector + "' is not valid: use letters, digits,"
                    + " hyphens and dots, e.g. rsa2026 (RFC 6376 §3.1)");
        }
        DkimAlgorithm.of(privateKey);
        if (privateKey instanceof RSAKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new IllegalArgumentException("the RSA key for " + selector + "._domainkey." + domain + " has "
                    + rsa.getModulus().bitLength() + " bits; receivers ignore signatures from keys under "
                    + MIN_RSA_BITS + " bits (RFC 8301 §3.2): generate a 2048-bit key");
        }
    }

    /** The domain in A-label form, lower case, without a final dot. */
    static String domain(String domain) {
        Objects.requireNonNull(domain, "domain");
        String d = domain.strip();
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        try {
            d = java.net.IDN.toASCII(d, java.net.IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("DKIM domain '" + domain + "' is not a domain name: " + e.getMessage());
        }
        if (!d.contains(".") || !LABELS.matcher(d).matches()) {
            throw new IllegalArgumentException("DKIM domain '" + domain + "' is not a fully qualified domain name");
        }
        return d;
    }

    public DkimAlgorithm algorithm() {
        return DkimAlgorithm.of(privateKey);
    }

    /** The DNS name the public key is published under. */
    public String recordName() {
        return selector + "._domainkey." + domain;
    }

    @Override
    public String toString() {
        return "SigningKey[" + recordName() + ", " + algorithm().tag() + "]";
    }
}
