package dev.directmx.dkim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.directmx.dkim.ExternalVerifiers.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The DKIM verifier harness checks itself: messages signed by an independent signer
 * (dkimpy's {@code dkim.sign}, Debian's python3-dkim) with the committed test keys
 * (src/test/resources/dkim) on d=dkim.example verify in both {@link ExternalVerifiers}, and
 * fail in both once changed, signed with a revoked key or with a key not in DNS. Needs
 * {@code scripts/peers/dkim.sh start} and its {@code dkim.env} in the environment
 * (scripts/test.sh does both); without them the tests fail.
 */
class ExternalVerifiersIT {

    private static final String DOMAIN = "dkim.example";
    private static final String PYTHON = "/usr/bin/python3";   // Debian's, with python3-dkim
    private static final String SIGN = """
            import sys, dkim
            selector, domain, algorithm, keyfile = sys.argv[1:5]
            message = sys.stdin.buffer.read()
            signature = dkim.sign(message, selector.encode(), domain.encode(),
                                  open(keyfile, 'rb').read(),
                                  signature_algorithm=algorithm.encode(),
                                  linesep=dkim.util.get_linesep(message))
            sys.stdout.buffer.write(signature + message)
            """;
    // PKCS#8 v1 DER of an Ed25519 private key: this 16-byte prefix, then the 32-byte seed.
    private static final byte[] ED25519_PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");

    private static final String MESSAGE = """
            From: Alice <alice@dkim.example>
            To: bob@example.net
            Subject: Harness check
            Date: Mon, 05 Jan 2026 10:00:00 +0000
            Message-ID: <harness-1@dkim.example>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=us-ascii

            Hello Bob,

            this message is signed by dkimpy and checked by dkimverify and opendkim-testmsg.
            """;

    enum LineEnd {
        LF("\n"), CRLF("\r\n");
        final String value;
        LineEnd(String value) { this.value = value; }
        byte[] apply(String text) {
            return text.replace("\n", value).getBytes(StandardCharsets.US_ASCII);
        }
    }

    enum Key {
        RSA("rsa2026", "rsa-sha256"), ED25519("ed2026", "ed25519-sha256");
        final String selector;
        final String algorithm;
        Key(String selector, String algorithm) { this.selector = selector; this.algorithm = algorithm; }
    }

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(LineEnd.class)
    void rsaSha256SignatureVerifiesInBothVerifiers(LineEnd ends) throws Exception {
        byte[] signed = sign(ends.apply(MESSAGE), Key.RSA);
        assertPasses(ExternalVerifiers.dkimpy(signed, 0));
        assertPasses(ExternalVerifiers.opendkim(signed));
    }

    @ParameterizedTest
    @EnumSource(LineEnd.class)
    void ed25519Sha256SignatureVerifiesInBothVerifiers(LineEnd ends) throws Exception {
        byte[] signed = sign(ends.apply(MESSAGE), Key.ED25519);
        assertTrue(new String(signed, StandardCharsets.US_ASCII).contains("a=ed25519-sha256;"),
                "dkimpy did not make an ed25519-sha256 signature");
        assertPasses(ExternalVerifiers.dkimpy(signed, 0));
        assertPasses(ExternalVerifiers.opendkim(signed));
    }

    @ParameterizedTest
    @EnumSource(Key.class)
    void messageSignedWithCrlfVerifiesWhenFedWithLfLineEnds(Key key) throws Exception {
        byte[] signed = sign(LineEnd.CRLF.apply(MESSAGE), key);
        byte[] lf = new String(signed, StandardCharsets.US_ASCII).replace("\r\n", "\n").getBytes(StandardCharsets.US_ASCII);
        assertPasses(ExternalVerifiers.dkimpy(lf, 0));
        assertPasses(ExternalVerifiers.opendkim(lf));
    }

    @ParameterizedTest
    @EnumSource(Key.class)
    void bodyChangedAfterSigningFailsInBothVerifiers(Key key) throws Exception {
        byte[] signed = sign(LineEnd.CRLF.apply(MESSAGE), key);
        assertPasses(ExternalVerifiers.dkimpy(signed, 0));
        assertPasses(ExternalVerifiers.opendkim(signed));

        byte[] changed = replace(signed, "Hello Bob,", "Hello Eve,");
        Verdict dkimpy = ExternalVerifiers.dkimpy(changed, 0);
        assertFails(dkimpy);
        assertTrue(dkimpy.output().contains("body hash mismatch"), dkimpy::toString);
        Verdict opendkim = ExternalVerifiers.opendkim(changed);
        assertFails(opendkim);
        assertTrue(opendkim.output().contains("Bad signature"), opendkim::toString);
    }

    @ParameterizedTest
    @EnumSource(Key.class)
    void signedHeaderChangedAfterSigningFailsInBothVerifiers(Key key) throws Exception {
        byte[] signed = sign(LineEnd.CRLF.apply(MESSAGE), key);
        assertPasses(ExternalVerifiers.dkimpy(signed, 0));

        byte[] changed = replace(signed, "Subject: Harness check", "Subject: Harness chock");
        assertFails(ExternalVerifiers.dkimpy(changed, 0));
        Verdict opendkim = ExternalVerifiers.opendkim(changed);
        assertFails(opendkim);
        assertTrue(opendkim.output().contains("Bad signature"), opendkim::toString);
    }

    @Test
    void revokedSelectorFailsInBothVerifiers() throws Exception {
        byte[] message = LineEnd.CRLF.apply(MESSAGE);
        // The same key and message pass under the published selector...
        assertPasses(ExternalVerifiers.dkimpy(sign(message, Key.RSA), 0));
        // ... and fail under s=revoked, whose record has an empty p=.
        byte[] revoked = sign(message, "revoked", Key.RSA.algorithm, keyFile(Key.RSA));
        assertFails(ExternalVerifiers.dkimpy(revoked, 0));
        Verdict opendkim = ExternalVerifiers.opendkim(revoked);
        assertFails(opendkim);
        assertTrue(opendkim.output().contains("Revoked key"), opendkim::toString);
    }

    @Test
    void ed25519SignatureFromAKeyNotInDnsFailsInBothVerifiers() throws Exception {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        Path other = Files.writeString(tmp.resolve("other-ed25519.seed"), Base64.getEncoder().encodeToString(seed));
        byte[] signed = sign(LineEnd.CRLF.apply(MESSAGE), Key.ED25519.selector, Key.ED25519.algorithm, other);
        assertFails(ExternalVerifiers.dkimpy(signed, 0));
        Verdict opendkim = ExternalVerifiers.opendkim(signed);
        assertFails(opendkim);
        assertTrue(opendkim.output().contains("Bad signature"), opendkim::toString);
    }

    @Test
    void eachOfTwoSignaturesIsCheckedAloneWhileOpendkimAcceptsAnyPassingOne() throws Exception {
        // Bottom: a good Ed25519 signature; top: one under the revoked selector.
        byte[] good = sign(LineEnd.CRLF.apply(MESSAGE), Key.ED25519);
        byte[] both = sign(good, "revoked", Key.RSA.algorithm, keyFile(Key.RSA));
        assertTrue(new String(both, StandardCharsets.US_ASCII).startsWith("DKIM-Signature: v=1; a=rsa-sha256;"),
                "the revoked-key signature should be the topmost field");

        assertFails(ExternalVerifiers.dkimpy(both, 0));
        assertPasses(ExternalVerifiers.dkimpy(both, 1));
        assertFails(ExternalVerifiers.dkimpy(both, 2));      // there is no third one
        assertPasses(ExternalVerifiers.opendkim(both));      // any passing signature will do
        assertFails(ExternalVerifiers.opendkimOnly(both, 0));
        assertPasses(ExternalVerifiers.opendkimOnly(both, 1));
    }

    @Test
    void keepOnlySignatureRemovesTheOtherSignatureFieldsWithTheirContinuationLines() {
        String message = """
                DKIM-Signature: v=1; a=rsa-sha256; d=a.example;\r
                \ts=one; b=AAAA\r
                \t BBBB\r
                From: a@a.example\r
                dkim-signature : v=1; a=ed25519-sha256; d=a.example;\r
                  s=two; b=CCCC\r
                Subject: x\r
                \r
                DKIM-Signature: in the body stays\r
                """;
        String first = new String(ExternalVerifiers.keepOnlySignature(bytes(message), 0), StandardCharsets.US_ASCII);
        assertEquals("""
                DKIM-Signature: v=1; a=rsa-sha256; d=a.example;\r
                \ts=one; b=AAAA\r
                \t BBBB\r
                From: a@a.example\r
                Subject: x\r
                \r
                DKIM-Signature: in the body stays\r
                """, first);
        String second = new String(ExternalVerifiers.keepOnlySignature(bytes(message), 1), StandardCharsets.US_ASCII);
        assertEquals("""
                From: a@a.example\r
                dkim-signature : v=1; a=ed25519-sha256; d=a.example;\r
                  s=two; b=CCCC\r
                Subject: x\r
                \r
                DKIM-Signature: in the body stays\r
                """, second);
        assertThrows(IllegalArgumentException.class, () -> ExternalVerifiers.keepOnlySignature(bytes(message), 2));
        byte[] lf = bytes(message.replace("\r\n", "\n"));
        assertArrayEquals(bytes(second.replace("\r\n", "\n")), ExternalVerifiers.keepOnlySignature(lf, 1));
    }

    @Test
    void missingNamespaceVariableFailsNamingTheTestScript() {
        AssertionError error = assertThrows(AssertionError.class, () -> ExternalVerifiers.namespace(Map.of()));
        assertTrue(error.getMessage().contains("scripts/test.sh"), error::getMessage);
        AssertionError gone = assertThrows(AssertionError.class,
                () -> ExternalVerifiers.namespace(Map.of(ExternalVerifiers.NETNS_ENV, "directmx-no-such-netns")));
        assertTrue(gone.getMessage().contains("does not exist"), gone::getMessage);
    }

    // ------------------------------------------------------------------------------------

    private static void assertPasses(Verdict verdict) {
        assertTrue(verdict.pass(), () -> "expected a pass: " + verdict);
    }

    private static void assertFails(Verdict verdict) {
        assertFalse(verdict.pass(), () -> "expected a failure: " + verdict);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] replace(byte[] message, String from, String to) {
        String text = new String(message, StandardCharsets.US_ASCII);
        assertTrue(text.contains(from), () -> "no '" + from + "' in the message");
        return bytes(text.replace(from, to));
    }

    private byte[] sign(byte[] message, Key key) throws IOException, InterruptedException {
        return sign(message, key.selector, key.algorithm, keyFile(key));
    }

    /** The key file in dkimpy's format: the PEM for RSA, the base64 32-byte seed for Ed25519. */
    private Path keyFile(Key key) throws IOException {
        byte[] pem;
        try (InputStream in = ExternalVerifiersIT.class.getResourceAsStream("/dkim/" + key.selector + ".pem")) {
            assertTrue(in != null, "no test key /dkim/" + key.selector + ".pem on the classpath");
            pem = in.readAllBytes();
        }
        Path file = tmp.resolve(key.selector + (key == Key.RSA ? ".pem" : ".seed"));
        if (key == Key.RSA) {
            return Files.write(file, pem);
        }
        String base64 = new String(pem, StandardCharsets.US_ASCII)
                .replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(base64);
        assertEquals(48, der.length, "not a PKCS#8 Ed25519 key");
        assertArrayEquals(ED25519_PKCS8_PREFIX, Arrays.copyOf(der, 16), "not a PKCS#8 Ed25519 key");
        return Files.writeString(file, Base64.getEncoder().encodeToString(Arrays.copyOfRange(der, 16, 48)));
    }

    /** dkimpy's dkim.sign: the DKIM-Signature field (folded, with the message's line end) + the message. */
    private static byte[] sign(byte[] message, String selector, String algorithm, Path keyFile)
            throws IOException, InterruptedException {
        List<String> command = List.of(PYTHON, "-c", SIGN, selector, DOMAIN, algorithm, keyFile.toString());
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(message);
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        process.getInputStream().transferTo(stdout);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "dkimpy signing did not finish");
        assertEquals(0, process.exitValue(), () -> "dkimpy signing failed: " + stderr);
        byte[] signed = stdout.toByteArray();
        assertTrue(new String(signed, StandardCharsets.US_ASCII).startsWith("DKIM-Signature: "),
                () -> "dkimpy wrote no DKIM-Signature: " + stderr);
        return signed;
    }
}
