package dev.directmx.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DkimSignerTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final String MESSAGE = "From: Ann <ann@example.com>\r\n"
            + "To: bob@example.net\r\n"
            + "Subject: Quarterly\r\n\tnumbers, folded\r\n"
            + "Date: Mon, 30 Nov 2026 12:00:00 +0000\r\n"
            + "Message-ID: <abc@example.com>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "X-Unsigned: not in the list\r\n"
            + "\r\n"
            + "Hello  Bob,\t \r\n"
            + "\r\n"
            + "the numbers.\r\n"
            + "\r\n\r\n";

    private final DkimSigner relaxed = new DkimSigner(SigningSettings.defaults());

    @Test
    void relaxedSignatureVerifiesAfterWhiteSpaceChangesARelayMightMake() {
        byte[] signed = relaxed.sign(bytes(MESSAGE), List.of(TestKeys.RSA_KEY), NOW).bytes();
        String refolded = text(signed).replace("Subject: Quarterly\r\n\tnumbers", "Subject:  Quarterly numbers")
                .replace("Hello  Bob,\t \r\n", "Hello Bob,\r\n") + "\r\n\r\n";
        assertThat(JvmVerifier.verify(signed, 0, TestKeys.publicKeys())).isEqualTo("pass");
        assertThat(JvmVerifier.verify(bytes(refolded), 0, TestKeys.publicKeys())).isEqualTo("pass");
    }

    @Test
    void simpleSignatureBreaksOnAnyWhiteSpaceChange() {
        DkimSigner simple = new DkimSigner(SigningSettings.defaults().withCanonicalization("c", "simple/simple"));
        byte[] signed = simple.sign(bytes(MESSAGE), List.of(TestKeys.ED25519_KEY), NOW).bytes();
        assertThat(text(signed)).contains("c=simple/simple;");
        assertThat(JvmVerifier.verify(signed, 0, TestKeys.publicKeys())).isEqualTo("pass");
        byte[] changed = bytes(text(signed).replace("Hello  Bob", "Hello Bob"));
        assertThat(JvmVerifier.verify(changed, 0, TestKeys.publicKeys())).startsWith("body hash mismatch");
    }

    @Test
    void changedSubjectBreaksTheSignature() {
        byte[] signed = relaxed.sign(bytes(MESSAGE), List.of(TestKeys.ED25519_KEY), NOW).bytes();
        byte[] changed = bytes(text(signed).replace("Quarterly", "Quarterly!"));
        assertThat(JvmVerifier.verify(changed, 0, TestKeys.publicKeys())).isEqualTo("signature mismatch");
    }

    @Test
    void dualSigningAddsOneIndependentSignaturePerKeyInOrder() {
        DkimSigner.SignedMessage signed = relaxed.sign(bytes(MESSAGE), List.of(TestKeys.RSA_KEY, TestKeys.ED25519_KEY), NOW);
        assertThat(signed.signatures()).extracting(s -> s.algorithm())
                .containsExactly(DkimAlgorithm.RSA_SHA256, DkimAlgorithm.ED25519_SHA256);
        String text = text(signed.bytes());
        assertThat(text.indexOf("a=rsa-sha256")).isLessThan(text.indexOf("a=ed25519-sha256"));
        assertThat(JvmVerifier.verify(signed.bytes(), 0, TestKeys.publicKeys())).isEqualTo("pass");
        assertThat(JvmVerifier.verify(signed.bytes(), 1, TestKeys.publicKeys())).isEqualTo("pass");
        assertThat(text).endsWith(MESSAGE);
    }

    @Test
    void signsThePresentDefaultFieldsAndOversignsFrom() {
        String text = text(relaxed.sign(bytes(MESSAGE), List.of(TestKeys.RSA_KEY), NOW).bytes());
        String h = JvmVerifier.tags(text.substring(text.indexOf(':') + 1, text.indexOf("\r\nFrom:"))).get("h");
        assertThat(h).isEqualTo("from:from:to:subject:date:message-id:mime-version:content-type");
        assertThat(h).doesNotContain("x-unsigned").doesNotContain("cc").doesNotContain("reply-to");
    }

    @Test
    void addingASecondFromAfterSigningBreaksTheSignature() {
        byte[] signed = relaxed.sign(bytes(MESSAGE), List.of(TestKeys.RSA_KEY), NOW).bytes();
        String text = text(signed);
        int from = text.indexOf("From: Ann");
        byte[] forged = bytes(text.substring(0, from) + "From: mallory@evil.example\r\n" + text.substring(from));
        assertThat(JvmVerifier.verify(forged, 0, TestKeys.publicKeys())).isEqualTo("signature mismatch");
    }

    @Test
    void everyInstanceOfARepeatedFieldIsSigned() {
        String twoTo = MESSAGE.replace("To: bob@example.net\r\n", "To: bob@example.net\r\nTo: carol@example.net\r\n");
        byte[] signed = relaxed.sign(bytes(twoTo), List.of(TestKeys.RSA_KEY), NOW).bytes();
        assertThat(text(signed)).contains("from:from:to:to:subject");
        assertThat(JvmVerifier.verify(signed, 0, TestKeys.publicKeys())).isEqualTo("pass");
        byte[] dropped = bytes(text(signed).replace("To: carol@example.net\r\n", ""));
        assertThat(JvmVerifier.verify(dropped, 0, TestKeys.publicKeys())).isEqualTo("signature mismatch");
    }

    @Test
    void timestampAndOptionalExpiryAreWritten() {
        DkimSigner expiring = new DkimSigner(SigningSettings.defaults().withExpiry(Duration.ofDays(7)));
        Map<String, String> tags = fieldTags(expiring.sign(bytes(MESSAGE), List.of(TestKeys.RSA_KEY), NOW).bytes());
        assertThat(tags.get("t")).isEqualTo(String.valueOf(NOW.getEpochSecond()));
        assertThat(tags.get("x")).isEqualTo(String.valueOf(NOW.plus(Duration.ofDays(7)).getEpochSecond()));
        assertThat(fieldTags(relaxed.sign(bytes(MESSAGE), List.of(TestKeys.RSA_KEY), NOW).bytes())).doesNotContainKey("x");
    }

    @Test
    void noLineOfTheSignatureFieldExceeds78Characters() {
        String manyFields = MESSAGE.replace("To: bob@example.net\r\n", "To: bob@example.net\r\n".repeat(30));
        String text = text(relaxed.sign(bytes(manyFields), List.of(TestKeys.RSA_KEY, TestKeys.ED25519_KEY), NOW).bytes());
        String fields = text.substring(0, text.indexOf("From: Ann"));
        for (String line : fields.split("\r\n")) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(78);
        }
        assertThat(JvmVerifier.verify(bytes(text), 0, TestKeys.publicKeys())).isEqualTo("pass");
    }

    @Test
    void bodyWithoutFinalCrlfAndEightBitContentVerify() {
        String eightBit = "From: ann@example.com\r\nSubject: Grüße\r\n\r\nGrüße aus Köln";
        for (String c : List.of("relaxed/relaxed", "simple/simple")) {
            DkimSigner signer = new DkimSigner(SigningSettings.defaults().withCanonicalization("c", c));
            byte[] signed = signer.sign(eightBit.getBytes(StandardCharsets.UTF_8), List.of(TestKeys.ED25519_KEY), NOW)
                    .bytes();
            assertThat(JvmVerifier.verify(signed, 0, TestKeys.publicKeys())).as(c).isEqualTo("pass");
            // SMTP adds the missing CRLF; canonicalization already counted it.
            byte[] withCrlf = java.util.Arrays.copyOf(signed, signed.length + 2);
            withCrlf[signed.length] = '\r';
            withCrlf[signed.length + 1] = '\n';
            assertThat(JvmVerifier.verify(withCrlf, 0, TestKeys.publicKeys())).as(c).isEqualTo("pass");
        }
    }

    @Test
    void messageWithoutFromIsRefused() {
        assertThatThrownBy(() -> relaxed.sign(bytes("Subject: x\r\n\r\nbody\r\n"), List.of(TestKeys.RSA_KEY), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no From field");
    }

    @Test
    void headerLineThatIsNotAFieldIsRefusedByName() {
        assertThatThrownBy(() -> relaxed.sign(bytes("From: a@example.com\r\nnot a field\r\n\r\nx\r\n"),
                List.of(TestKeys.RSA_KEY), NOW)).hasMessageContaining("'not a field'");
    }

    private static Map<String, String> fieldTags(byte[] signed) {
        String text = text(signed);
        return JvmVerifier.tags(text.substring(text.indexOf(':') + 1, text.indexOf("\r\nFrom:")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
