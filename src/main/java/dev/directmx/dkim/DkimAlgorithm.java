package dev.directmx.dkim;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;

/** The signing algorithms directmx signs with (the {@code a=} tag). */
public enum DkimAlgorithm {

    /** RFC 6376 §3.3.1 (RFC 8301 §3.1: the only RSA algorithm still accepted). */
    RSA_SHA256("rsa-sha256", "rsa"),

    /** RFC 8463 §3: Ed25519 (RFC 8032, "pure" mode) over the SHA-256 hash of the header data. */
    ED25519_SHA256("ed25519-sha256", "ed25519");

    private final String tag;
    private final String keyType;

    DkimAlgorithm(String tag, String keyType) {
        this.tag = tag;
        this.keyType = keyType;
    }

    /** The {@code a=} value. */
    public String tag() {
        return tag;
    }

    /** The key record's {@code k=} value. */
    public String keyType() {
        return keyType;
    }

    /** The algorithm a private key signs with, by its type. */
    static DkimAlgorithm of(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "RSA" -> RSA_SHA256;
            case "EdDSA", "Ed25519" -> ED25519_SHA256;
            default -> throw new IllegalArgumentException("a " + key.getAlgorithm()
                    + " key cannot sign DKIM; use an RSA or an Ed25519 key");
        };
    }

    /** Signs the canonicalized header data (RFC 6376 §3.7). */
    byte[] sign(PrivateKey key, byte[] headerData) throws GeneralSecurityException {
        return switch (this) {
            case RSA_SHA256 -> {
                Signature rsa = Signature.getInstance("SHA256withRSA");
                rsa.initSign(key);
                rsa.update(headerData);
                yield rsa.sign();
            }
            case ED25519_SHA256 -> {
                // RFC 8463 §3: "the signature is computed over the SHA-256 hash of the data",
                // not over the data itself: Ed25519 signs the 32-octet digest.
                Signature ed = Signature.getInstance("Ed25519");
                ed.initSign(key);
                ed.update(MessageDigest.getInstance("SHA-256").digest(headerData));
                yield ed.sign();
            }
        };
    }
}
