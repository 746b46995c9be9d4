package dev.directmx.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PrivateKeysTest {

    @Test
    void pkcs8PemRoundTripsForBothAlgorithms() {
        for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
            KeyPair pair = PrivateKeys.generate(algorithm);
            String pem = PrivateKeys.toPem(pair.getPrivate());
            assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
            PrivateKey back = PrivateKeys.parse("test", pem);
            assertThat(back.getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
            assertThat(PrivateKeys.publicKey(back).getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        }
    }

    @Test
    void opensslWrittenTestKeysParseToTheirAlgorithms() throws IOException {
        assertThat(DkimAlgorithm.of(PrivateKeys.parse("rsa2026", resource("rsa2026.pem")))).isEqualTo(DkimAlgorithm.RSA_SHA256);
        assertThat(DkimAlgorithm.of(PrivateKeys.parse("ed2026", resource("ed2026.pem"))))
                .isEqualTo(DkimAlgorithm.ED25519_SHA256);
    }

    @Test
    void dnsRecordsUseSpkiForRsaAndTheRawKeyForEd25519() {
        KeyPair rsa = PrivateKeys.generate(DkimAlgorithm.RSA_SHA256);
        KeyPair ed = PrivateKeys.generate(DkimAlgorithm.ED25519_SHA256);
        assertThat(PrivateKeys.dnsRecord(rsa.getPublic()))
                .isEqualTo("v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(rsa.getPublic().getEncoded()));
        String edKey = PrivateKeys.dnsRecord(ed.getPublic()).substring("v=DKIM1; k=ed25519; p=".length());
        assertThat(Base64.getDecoder().decode(edKey)).hasSize(32); // RFC 8463 §4.2: the bare key
    }

    @Test
    void encryptedKeyIsRefusedWithTheWayOut() {
        String pem = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assertThatThrownBy(() -> PrivateKeys.parse("file:/etc/dkim.pem", pem))
                .hasMessageStartingWith("file:/etc/dkim.pem holds an encrypted private key").hasMessageContaining("openssl pkey");
    }

    @Test
    void unreadableKeyNamesItsSourceButNeverEchoesTheText() {
        String secretLooking = "-----BEGIN PRIVATE KEY-----\nTOPSECRETbutbroken\n-----END PRIVATE KEY-----\n";
        assertThatThrownBy(() -> PrivateKeys.parse("ssm:/dkim/k", secretLooking))
                .hasMessageStartingWith("ssm:/dkim/k does not hold a readable private key")
                .message().doesNotContain("TOPSECRET");
        assertThatThrownBy(() -> PrivateKeys.parse("env:KEY", "hello world"))
                .hasMessageStartingWith("env:KEY does not hold a private key").message().doesNotContain("hello");
    }

    @Test
    void rsaKeysUnder1024BitsAreRefusedForSigning() throws Exception {
        KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
        small.initialize(512);
        PrivateKey weak = small.generateKeyPair().getPrivate();
        assertThatThrownBy(() -> new SigningKey("example.com", "old", weak))
                .hasMessageContaining("512 bits").hasMessageContaining("RFC 8301");
    }

    @Test
    void selectorAndDomainAreValidated() {
        PrivateKey key = PrivateKeys.generate(DkimAlgorithm.ED25519_SHA256).getPrivate();
        assertThat(new SigningKey("Example.COM.", "Ed2026", key).recordName()).isEqualTo("ed2026._domainkey.example.com");
        assertThat(new SigningKey("bücher.example", "s1", key).domain()).isEqualTo("xn--bcher-kva.example");
        assertThatThrownBy(() -> new SigningKey("example.com", "bad selector", key)).hasMessageContaining("selector");
        assertThatThrownBy(() -> new SigningKey("localhost", "s1", key)).hasMessageContaining("fully qualified");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = PrivateKeysTest.class.getResourceAsStream("/dkim/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
