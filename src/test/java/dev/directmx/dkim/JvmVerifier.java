package dev.directmx.dkim;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small DKIM verifier for fast unit tests (RFC 6376 §6.1.3): it re-derives the body hash and
 * the signed header data and checks the signature with the public key. It shares the signer's
 * canonicalization, so it proves consistency, not correctness: the RFC 8463 vectors and the
 * Debian verifiers ({@code VerifierRoundTripIT}) prove that.
 */
public final class JvmVerifier {

    private JvmVerifier() {
    }

    /** Why verification failed, or "pass". */
    public static String verify(byte[] message, int index, Map<String, PublicKey> keysByRecordName) {
        HeaderSection headers = HeaderSection.parse(message);
        List<HeaderSection.Field> signatures = headers.fields().stream()
                .filter(f -> f.lowerName().equals("dkim-signature")).toList();
        if (index >= signatures.size()) {
            return "no signature " + index;
        }
        HeaderSection.Field field = signatures.get(index);
        String raw = new String(field.raw(), StandardCharsets.US_ASCII);
        Map<String, String> tags = tags(raw.substring(raw.indexOf(':') + 1));
        String[] c = tags.getOrDefault("c", "simple/simple").split("/");
        Canonicalization headerCanon = Canonicalization.parse("c", c[0]);
        Canonicalization bodyCanon = c.length > 1 ? Canonicalization.parse("c", c[1]) : Canonicalization.SIMPLE;
        String bodyHash = Base64.getEncoder().encodeToString(sha256(bodyCanon.body(message, headers.bodyStart())));
        if (!bodyHash.equals(tags.get("bh"))) {
            return "body hash mismatch: computed " + bodyHash + ", signed " + tags.get("bh");
        }
        StringBuilder data = new StringBuilder();
        Map<String, Integer> used = new HashMap<>();
        for (String name : tags.get("h").split(":")) {
            String lower = name.strip().toLowerCase(Locale.ROOT);
            int occurrence = used.merge(lower, 1, Integer::sum);
            List<HeaderSection.Field> matching = new ArrayList<>(headers.fields().stream()
                    .filter(f -> f.lowerName().equals(lower)).toList());
            if (occurrence <= matching.size()) {
                data.append(new String(headerCanon.header(matching.get(matching.size() - occurrence).raw(), true),
                        StandardCharsets.ISO_8859_1));
            }
        }
        // RFC 6376 §3.7: the signature field with the b= value removed, without its final CRLF.
        String withoutB = raw.replaceAll("(?s)(\\bb\\s*=)[\\sA-Za-z0-9+/=]*(;|$)", "$1$2");
        data.append(new String(headerCanon.header(withoutB.getBytes(StandardCharsets.US_ASCII), false),
                StandardCharsets.ISO_8859_1));
        PublicKey key = keysByRecordName.get(tags.get("s") + "._domainkey." + tags.get("d"));
        if (key == null) {
            return "no key for " + tags.get("s") + "._domainkey." + tags.get("d");
        }
        try {
            byte[] signed = data.toString().getBytes(StandardCharsets.ISO_8859_1);
            Signature verifier;
            if (tags.get("a").equals("ed25519-sha256")) {
                verifier = Signature.getInstance("Ed25519");
                signed = sha256(signed);
            } else {
                verifier = Signature.getInstance("SHA256withRSA");
            }
            verifier.initVerify(key);
            verifier.update(signed);
            return verifier.verify(Base64.getMimeDecoder().decode(tags.get("b").replaceAll("\\s", ""))) ? "pass"
                    : "signature mismatch";
        } catch (GeneralSecurityException e) {
            return "verification error: " + e;
        }
    }

    /** The tag=value list of a DKIM-Signature field, white space removed from the values. */
    static Map<String, String> tags(String value) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String part : value.split(";")) {
            int equals = part.indexOf('=');
            if (equals > 0) {
                tags.put(part.substring(0, equals).strip(), part.substring(equals + 1).replaceAll("\\s", ""));
            }
        }
        return tags;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
