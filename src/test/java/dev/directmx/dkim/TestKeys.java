package dev.directmx.dkim;

import java.security.KeyPair;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.Map;

/** Keys generated once per test run, and a lookup of their public halves by record name. */
final class TestKeys {

    static final KeyPair RSA = PrivateKeys.generate(DkimAlgorithm.RSA_SHA256);
    static final KeyPair ED25519 = PrivateKeys.generate(DkimAlgorithm.ED25519_SHA256);

    static final SigningKey RSA_KEY = new SigningKey("example.com", "rsa2026", RSA.getPrivate());
    static final SigningKey ED25519_KEY = new SigningKey("example.com", "ed2026", ED25519.getPrivate());

    private TestKeys() {
    }

    static Map<String, PublicKey> publicKeys() {
        Map<String, PublicKey> keys = new HashMap<>();
        keys.put(RSA_KEY.recordName(), RSA.getPublic());
        keys.put(ED25519_KEY.recordName(), ED25519.getPublic());
        return keys;
    }
}
