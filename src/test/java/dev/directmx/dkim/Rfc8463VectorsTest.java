package dev.directmx.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 8463 Appendix A, reproduced octet for octet. Ed25519 and RSASSA-PKCS1-v1_5 are both
 * deterministic, so signing the RFC's message with the RFC's keys and the RFC's tags must give
 * the RFC's {@code b=} values exactly: that checks relaxed canonicalization, header selection
 * with oversigning, and RFC 8463's "sign the SHA-256 of the data" in one go.
 */
class Rfc8463VectorsTest {

    private static final List<String> RFC_SIGNED_NAMES =
            List.of("from", "to", "subject", "date", "message-id", "from", "subject", "date");

    private final byte[] message = Rfc8463.MESSAGE.getBytes(StandardCharsets.US_ASCII);
    private final DkimSigner signer = new DkimSigner(SigningSettings.defaults());

    @Test
    void relaxedBodyHashMatchesTheRfc() {
        HeaderSection headers = HeaderSection.parse(message);
        byte[] body = Canonicalization.RELAXED.body(message, headers.bodyStart());
        assertThat(Base64.getEncoder().encodeToString(DkimSigner.sha256(body))).isEqualTo(Rfc8463.BODY_HASH);
    }

    @Test
    void ed25519SignatureIsTheRfcsOctetForOctet() {
        SigningKey key = new SigningKey("football.example.com", "brisbane",
                PrivateKeys.parse("RFC 8463 A.1", Rfc8463.ED25519_SEED));
        String b = signer.signature(key, HeaderSection.parse(message), RFC_SIGNED_NAMES,
                Rfc8463.ED25519_FIELD_UNSIGNED);
        assertThat(b).isEqualTo(Rfc8463.ED25519_B);
    }

    @Test
    void rsaSignatureIsTheRfcsOctetForOctet() {
        SigningKey key = new SigningKey("football.example.com", "test",
                PrivateKeys.parse("RFC 8463 A.1", Rfc8463.RSA_PKCS1));
        String b = signer.signature(key, HeaderSection.parse(message), RFC_SIGNED_NAMES,
                Rfc8463.RSA_FIELD_UNSIGNED);
        assertThat(b).isEqualTo(Rfc8463.RSA_B);
    }

    @Test
    void privateKeysDeriveThePublishedKeyRecords() {
        PrivateKey ed = PrivateKeys.parse("seed", Rfc8463.ED25519_SEED);
        PrivateKey rsa = PrivateKeys.parse("pkcs1", Rfc8463.RSA_PKCS1);
        assertThat(PrivateKeys.dnsRecord(PrivateKeys.publicKey(ed))).isEqualTo(Rfc8463.ED25519_RECORD);
        assertThat(PrivateKeys.dnsRecord(PrivateKeys.publicKey(rsa))).isEqualTo(Rfc8463.RSA_RECORD);
    }

    @Test
    void ourOwnFieldOverTheRfcMessageCarriesTheRfcBodyHash() {
        SigningKey key = new SigningKey("football.example.com", "brisbane",
                PrivateKeys.parse("RFC 8463 A.1", Rfc8463.ED25519_SEED));
        String signed = new String(signer.sign(message, List.of(key), java.time.Instant.ofEpochSecond(1528637909))
                .bytes(), StandardCharsets.US_ASCII);
        assertThat(signed).contains("bh=" + Rfc8463.BODY_HASH + ";").contains("t=1528637909;")
                .contains("a=ed25519-sha256;").endsWith(Rfc8463.MESSAGE);
    }
}
