package dev.directmx.dkim;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Reads and writes DKIM private keys in the forms operators have: PKCS#8 PEM ({@code BEGIN
 * PRIVATE KEY}, what {@code openssl genpkey} and {@code dkim keygen} write), PKCS#1 PEM ({@code
 * BEGIN RSA PRIVATE KEY}, what {@code openssl genrsa} and {@code opendkim-genkey} write) and a
 * bare base64 Ed25519 seed (what {@code dknewkey} writes, and the form RFC 8463 uses). Derives
 * public keys and the DNS record that publishes them.
 */
public final class PrivateKeys {

    private static final HexFormat HEX = HexFormat.of();
    /** PKCS#8 for Ed25519 is this fixed prefix (version 0, OID 1.3.101.112) then the 32-octet seed. */
    private static final byte[] ED25519_PKCS8_PREFIX = HEX.parseHex("302e020100300506032b657004220420");
    /** The AlgorithmIdentifier for rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = HEX.parseHex("300d06092a864886f70d0101010500");
    private static final int ED25519_KEY_LENGTH = 32;

    private PrivateKeys() {
    }

    /**
     * Parses a private key.
     *
     * @param where where the text came from ({@code env:DKIM_KEY}), for the error message
     * @throws IllegalArgumentException naming {@code where} and the forms accepted; never
     *     containing the text
     */
    public static PrivateKey parse(String where, String text) {
        String trimmed = text.strip();
        try {
            if (trimmed.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
                throw new IllegalArgumentException(where + " holds an encrypted private key; store it unencrypted"
                        + " (openssl pkey -in KEY -out PLAIN.pem) in a secret store instead");
            }
            if (trimmed.contains("-----BEGIN RSA PRIVATE KEY-----")) {
                return rsa(pkcs1ToPkcs8(pemBody(trimmed, "RSA PRIVATE KEY")));
            }
            if (trimmed.contains("-----BEGIN PRIVATE KEY-----")) {
                return pkcs8(pemBody(trimmed, "PRIVATE KEY"));
            }
            if (!trimmed.startsWith("-----")) {
                byte[] raw = Base64.getMimeDecoder().decode(trimmed);
                if (raw.length == ED25519_KEY_LENGTH) {
                    return ed25519(concat(ED25519_PKCS8_PREFIX, raw));
                }
            }
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith(where)) {
                throw (IllegalArgumentException) e;
            }
            throw new IllegalArgumentException(where + " does not hold a readable private key ("
                    + e.getClass().getSimpleName() + "); " + FORMS);
        }
        throw new IllegalArgumentException(where + " does not hold a private key; " + FORMS);
    }

    private static final String FORMS = "give a PEM PKCS#8 key (BEGIN PRIVATE KEY), a PEM PKCS#1 RSA key"
            + " (BEGIN RSA PRIVATE KEY) or a base64 Ed25519 seed of 32 octets";

    /** The key as PKCS#8 PEM, the form {@code dkim keygen} writes. */
    public static String toPem(PrivateKey key) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
    }

    /** A new key pair: RSA 2048 (RFC 8301 §3.2's advice) or Ed25519. */
    public static KeyPair generate(DkimAlgorithm algorithm) {
        try {
            return switch (algorithm) {
                case RSA_SHA256 -> {
                    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
                    rsa.initialize(2048, new SecureRandom());
                    yield rsa.generateKeyPair();
                }
                case ED25519_SHA256 -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot generate " + algorithm.tag() + " keys", e);
        }
    }

    /** The public half of a private key. */
    public static PublicKey publicKey(PrivateKey key) {
        try {
            if (key instanceof RSAPrivateCrtKey rsa) {
                return KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            }
            if (DkimAlgorithm.of(key) == DkimAlgorithm.ED25519_SHA256) {
                // The JDK derives an Ed25519 key pair from the 32 random octets it draws (RFC 8032
                // §5.1.5); handing it the seed as its "random" octets yields this key's pair.
                byte[] seed = Arrays.copyOfRange(key.getEncoded(), ED25519_PKCS8_PREFIX.length,
                        ED25519_PKCS8_PREFIX.length + ED25519_KEY_LENGTH);
                KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
                generator.initialize(255, new SeedRandom(seed));
                return generator.generateKeyPair().getPublic();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the public key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("cannot derive the public key of a " + key.getAlgorithm() + " key");
    }

    /**
     * The TXT record that publishes {@code publicKey} (RFC 6376 §3.6.1): {@code p=} is the
     * SubjectPublicKeyInfo for RSA and the raw 32-octet key for Ed25519 (RFC 8463 §4.2).
     */
    public static String dnsRecord(PublicKey publicKey) {
        byte[] encoded = publicKey.getEncoded();
        return switch (publicKey.getAlgorithm()) {
            case "RSA" -> "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(encoded);
            case "EdDSA", "Ed25519" -> "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(
                    Arrays.copyOfRange(encoded, encoded.length - ED25519_KEY_LENGTH, encoded.length));
            default -> throw new IllegalArgumentException("no DKIM key type for " + publicKey.getAlgorithm());
        };
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        try {
            return rsa(der);
        } catch (GeneralSecurityException notRsa) {
            return ed25519(der);
        }
    }

    private static PrivateKey rsa(byte[] pkcs8) throws GeneralSecurityException {
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }

    private static PrivateKey ed25519(byte[] pkcs8) throws GeneralSecurityException {
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }

    private static byte[] pemBody(String pem, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = pem.indexOf(begin) + begin.length();
        int to = pem.indexOf(end, from);
        if (to < 0) {
            throw new IllegalArgumentException("the PEM block has no " + end + " line");
        }
        return Base64.getMimeDecoder().decode(pem.substring(from, to));
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (RFC 5208 §5). */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        return der(0x30, concat(version, RSA_ALGORITHM, octets));
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A "random" source that yields a fixed seed: only for deriving an Ed25519 public key. */
    private static final class SeedRandom extends SecureRandom {
        private final byte[] seed;

        SeedRandom(byte[] seed) {
            this.seed = seed;
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("expected a request for " + seed.length + " octets");
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
        }
    }
}
