package dev.directmx.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Signs messages with DKIM (RFC 6376) using RSA-SHA256 or Ed25519-SHA256 (RFC 8463), with one
 * key or several at once (each signature independent of the others, so a receiver that knows
 * only RSA still finds one it can check). Stateless and thread-safe.
 *
 * <p>Sign the octets exactly as they go on the wire: CRLF line ends, after any 8BITMIME
 * downgrade. Any later change to the signed fields or the body breaks the signature.
 */
public final class DkimSigner {

    private final SigningSettings settings;

    public DkimSigner(SigningSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public SigningSettings settings() {
        return settings;
    }

    /**
     * Signs {@code message} with every key in {@code keys}, in order.
     *
     * @return the message with one DKIM-Signature field per key prepended (the first key's
     *     field first), and what was signed
     * @throws IllegalArgumentException when the message has no From field or a header line
     *     that is not a field
     */
    public SignedMessage sign(byte[] message, List<SigningKey> keys, Instant now) {
        HeaderSection headers = HeaderSection.parse(message);
        if (headers.count("from") == 0) {
            throw new IllegalArgumentException("the message has no From field, which DKIM must sign (RFC 6376 §5.4)");
        }
        List<String> signedNames = signedNames(headers);
        String bodyHash = Base64.getEncoder().encodeToString(
                sha256(settings.bodyCanonicalization().body(message, headers.bodyStart())));
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 600 * keys.size());
        List<Signature> signatures = new ArrayList<>();
        for (SigningKey key : keys) {
            List<String> tags = tags(key, now, bodyHash);
            String unsigned = SignatureField.unsigned(tags, signedNames);
            String field = SignatureField.signed(unsigned, signature(key, headers, signedNames, unsigned));
            out.writeBytes(field.getBytes(StandardCharsets.US_ASCII));
            signatures.add(new Signature(key.domain(), key.selector(), key.algorithm()));
        }
        out.writeBytes(message);
        return new SignedMessage(out.toByteArray(), signatures);
    }

    /**
     * The base64 signature for a DKIM-Signature field whose text up to and including {@code b=}
     * is {@code unsignedField}, over the fields named in {@code signedNames}. Package-private
     * so that the RFC 8463 test vectors can fix every tag as the RFC wrote it.
     */
    String signature(SigningKey key, HeaderSection headers, List<String> signedNames, String unsignedField) {
        ByteArrayOutputStream data = new ByteArrayOutputStream(2048);
        Canonicalization canon = settings.headerCanonicalization();
        // RFC 6376 §5.4.2: each name takes the next instance from the bottom; a name with no
        // instance left (an oversigned one) contributes nothing.
        Map<String, Integer> used = new HashMap<>();
        for (String name : signedNames) {
            HeaderSection.Field field = fromBottom(headers, name, used.merge(name, 1, Integer::sum));
            if (field != null) {
                data.writeBytes(canon.header(field.raw(), true));
            }
        }
        // RFC 6376 §3.7: the signature field itself comes last, b= empty, without its CRLF.
        data.writeBytes(canon.header(unsignedField.getBytes(StandardCharsets.US_ASCII), false));
        try {
            return Base64.getEncoder().encodeToString(key.algorithm().sign(key.privateKey(), data.toByteArray()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with " + key + " failed: " + e.getMessage(), e);
        }
    }

    /** Every configured name once per instance present, and oversigned names once more. */
    private List<String> signedNames(HeaderSection headers) {
        List<String> names = new ArrayList<>();
        for (String name : settings.signedHeaders()) {
            int present = headers.count(name);
            int times = present + (settings.oversignedHeaders().contains(name) ? 1 : 0);
            for (int i = 0; i < times; i++) {
                names.add(name);
            }
        }
        return names;
    }

    private List<String> tags(SigningKey key, Instant now, String bodyHash) {
        List<String> tags = new ArrayList<>();
        tags.add("v=1");
        tags.add("a=" + key.algorithm().tag());
        tags.add("c=" + settings.canonicalizationTag());
        tags.add("d=" + key.domain());
        tags.add("s=" + key.selector());
        tags.add("t=" + now.getEpochSecond());
        // RFC 6376 §3.5: x= must be greater than t=.
        settings.expiry().ifPresent(e -> tags.add("x=" + now.plus(e).getEpochSecond()));
        tags.add("bh=" + bodyHash);
        return tags;
    }

    private static HeaderSection.Field fromBottom(HeaderSection headers, String name, int occurrence) {
        int seen = 0;
        for (int i = headers.fields().size() - 1; i >= 0; i--) {
            HeaderSection.Field field = headers.fields().get(i);
            if (field.lowerName().equals(name) && ++seen == occurrence) {
                return field;
            }
        }
        return null;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** What one signature covers: its {@code d=}, {@code s=} and {@code a=}. */
    public record Signature(String domain, String selector, DkimAlgorithm algorithm) {
        @Override
        public String toString() {
            return "d=" + domain + " s=" + selector + " a=" + algorithm.tag();
        }
    }

    /** A signed message: its octets (signature fields first) and the signatures added. */
    public record SignedMessage(byte[] bytes, List<Signature> signatures) {
        public SignedMessage {
            signatures = List.copyOf(signatures);
        }
    }
}
