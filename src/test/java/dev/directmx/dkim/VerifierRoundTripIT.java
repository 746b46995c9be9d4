package dev.directmx.dkim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.directmx.dkim.ExternalVerifiers.Verdict;
import dev.directmx.message.Attachment;
import dev.directmx.message.ComposedMessage;
import dev.directmx.message.InvalidMessageException;
import dev.directmx.message.MessageComposer;
import dev.directmx.message.MessageLimits;
import dev.directmx.message.MessageRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Round trip through two independent verifiers: messages signed by directmx's own {@link
 * DkimSigner} with the committed test keys (src/test/resources/dkim, d=dkim.example, s=rsa2026
 * and s=ed2026) verify in dkimpy's {@code dkimverify} and OpenDKIM's {@code opendkim-testmsg}
 * ({@link ExternalVerifiers}), with one key and with both, under every canonicalization, over
 * messages composed by {@link MessageComposer} (text, HTML, attachments, long folded headers,
 * 8bit and its 7-bit downgrade) and hand-written edge cases (no final CRLF, no body, trailing
 * blank lines and white space, odd header white space). Negative controls show that the same
 * round trip fails once the message changes or the key is revoked.
 *
 * <p>Needs {@code scripts/peers/dkim.sh start} and its {@code dkim.env} in the environment
 * (scripts/test.sh does both); without them every test fails, naming scripts/test.sh.
 */
class VerifierRoundTripIT {

    private static final String DOMAIN = "dkim.example";
    private static final SigningKey RSA = new SigningKey(DOMAIN, "rsa2026", testKey("rsa2026"));
    private static final SigningKey ED25519 = new SigningKey(DOMAIN, "ed2026", testKey("ed2026"));
    /** The composer's clock: the Date header is fixed, the signature's t= is now. */
    private static final Instant DATE = Instant.parse("2026-01-05T10:00:00Z");
    private static final String FROM = "Alice Example <alice@dkim.example>";
    private static final String HEADER_ONLY = "header only, no empty line";
    private static final String ODD_WHITE_SPACE = "odd header white space and case";
    private static final String PYTHON = "/usr/bin/python3";   // Debian's, with python3-dkim
    /** dkimpy's own signer, to compare with: DKIM-Signature field + message on stdout. */
    private static final String DKIMPY_SIGN = """
            import sys, dkim
            selector, domain, canonicalization, headers, keyfile = sys.argv[1:6]
            message = sys.stdin.buffer.read()
            signature = dkim.sign(message, selector.encode(), domain.encode(), open(keyfile, 'rb').read(),
                                  canonicalize=tuple(canonicalization.encode().split(b'/')),
                                  include_headers=[h.encode() for h in headers.split(':')],
                                  linesep=dkim.util.get_linesep(message))
            sys.stdout.buffer.write(signature + message)
            """;

    /** Which test keys sign: one alone, or both (RSA's field on top, as configured). */
    enum Keys {
        RSA(VerifierRoundTripIT.RSA), ED25519(VerifierRoundTripIT.ED25519),
        BOTH(VerifierRoundTripIT.RSA, VerifierRoundTripIT.ED25519);

        final List<SigningKey> keys;

        Keys(SigningKey... keys) {
            this.keys = List.of(keys);
        }
    }

    /** A message to sign: its name in the test report and its octets. */
    record Sample(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    // ------------------------------------------------------------------ the samples

    static List<Sample> samples() {
        return List.of(
                composed("plain text", request("Plain text", "Hello Bob,\n\nthe numbers are in.\n\nAlice", null,
                        List.of())),
                composed("html and text (multipart/alternative)", request("Both parts",
                        "Hello Bob,\nthe numbers are in.", "<p>Hello Bob,</p>\n<p>the <b>numbers</b> are in.</p>",
                        List.of())),
                composed("attachments (multipart/mixed, base64)", request("With attachments", "See attached.",
                        "<p>See attached.</p>", List.of(
                                new Attachment("report.pdf", "application/pdf", base64(pdfLike(6000))),
                                new Attachment("notes.txt", "text/plain; charset=utf-8",
                                        base64("line one\nline two\n".getBytes(StandardCharsets.UTF_8)))))),
                composed("long folded Subject and To", longHeaders()),
                composed("8bit UTF-8 body", request("Grüße aus Köln",
                        "Grüße aus Köln,\nça va? Ελληνικά, 日本語 and an emoji 📬.", null, List.of())),
                sevenBitDowngrade(),
                raw("body without a final CRLF", """
                        From: alice@dkim.example\r
                        To: bob@example.net\r
                        Subject: No final line end\r
                        Date: Mon, 05 Jan 2026 10:00:00 +0000\r
                        Message-ID: <no-final-crlf@dkim.example>\r
                        \r
                        First line\r
                        last line without CRLF"""),
                raw(HEADER_ONLY, """
                        From: alice@dkim.example\r
                        To: bob@example.net\r
                        Subject: Header only\r
                        Date: Mon, 05 Jan 2026 10:00:00 +0000\r
                        Message-ID: <header-only@dkim.example>\r
                        """),
                raw("headers and an empty body", """
                        From: alice@dkim.example\r
                        To: bob@example.net\r
                        Subject: Empty body\r
                        Date: Mon, 05 Jan 2026 10:00:00 +0000\r
                        Message-ID: <empty-body@dkim.example>\r
                        \r
                        """),
                raw("trailing blank lines and trailing white space", """
                        From: alice@dkim.example\r
                        To: bob@example.net\r
                        Subject: Trailing white space\r
                        Date: Mon, 05 Jan 2026 10:00:00 +0000\r
                        Message-ID: <trailing@dkim.example>\r
                        \r
                        Line one with trailing spaces   \r
                        \tLine two  with\t inner  and trailing tabs\t\t\r
                        \r
                        Line four after an empty line \t \r
                        \r
                         \r
                        \t\r
                        \r
                        \r
                        """),
                // No white space before a colon: dkimpy 1.1.4 refuses "Subject :" (MessageFormatError),
                // the obsolete syntax of RFC 5322 §4.5.8 that directmx never writes.
                raw(ODD_WHITE_SPACE, """
                        FROM:alice@dkim.example\r
                        to:   bob@example.net ,\r
                        \t carol@example.net\r
                        Subject:\t spaced   out\t \r
                        Date:Mon, 05 Jan 2026 10:00:00 +0000\r
                        Message-ID:   <odd-space@dkim.example>\r
                        \r
                        Body\r
                        """));
    }

    private static MessageRequest request(String subject, String text, String html, List<Attachment> attachments) {
        return new MessageRequest(null, FROM, null, List.of("Bob <bob@example.net>"), List.of(), List.of(), List.of(),
                subject, text, html, Map.of(), attachments);
    }

    /** A Subject of 300+ characters and 40 To addresses, which the composer folds. */
    private static MessageRequest longHeaders() {
        String subject = String.join(" ", java.util.Collections.nCopies(30, "quarterly numbers"))
                + " and a final word";
        List<String> to = IntStream.rangeClosed(1, 40).mapToObj(i -> "Recipient " + i + " <r" + i + "@example.net>")
                .toList();
        return new MessageRequest(null, FROM, null, to, List.of("cc@example.net"), List.of(), List.of(), subject,
                "Many recipients.", null, Map.of(), List.of());
    }

    private static Sample composed(String name, MessageRequest request) {
        return new Sample(name, compose(request).bytes());
    }

    /** The 7-bit form a server without 8BITMIME gets, signed after the downgrade as the Deliverer does. */
    private static Sample sevenBitDowngrade() {
        return new Sample("8bit UTF-8 downgraded to 7 bit (quoted-printable)", compose(eightBitRequest()).sevenBit());
    }

    private static MessageRequest eightBitRequest() {
        return request("Grüße", "Grüße aus Köln\nZeile zwei: 100 € für Müller\n", null, List.of());
    }

    private static ComposedMessage compose(MessageRequest request) {
        try {
            return new MessageComposer(Clock.fixed(DATE, ZoneOffset.UTC), MessageLimits.defaults())
                    .compose(request).content();
        } catch (InvalidMessageException e) {
            throw new AssertionError("the sample request does not compose: " + e.getMessage(), e);
        }
    }

    private static Sample raw(String name, String text) {
        return new Sample(name, text.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ round trips

    static Stream<Arguments> oneKeyAtATime() {
        return samples().stream().flatMap(s -> Stream.of("relaxed/relaxed", "simple/simple")
                .filter(c -> bothVerifiersAgree(s, c))
                .flatMap(c -> Stream.of(Keys.RSA, Keys.ED25519).map(k -> Arguments.of(s, c, k))));
    }

    static Stream<Arguments> bothKeys() {
        return samples().stream().flatMap(s -> Stream.of("relaxed/relaxed", "simple/simple", "relaxed/simple",
                "simple/relaxed").filter(c -> bothVerifiersAgree(s, c)).map(c -> Arguments.of(s, c)));
    }

    /** All but one case: see {@link #headerOnlyMessageUnderSimpleHeaderCanonicalizationSplitsTheVerifiersAsDkimpysOwnSignatureDoes}. */
    private static boolean bothVerifiersAgree(Sample sample, String canonicalization) {
        return !(sample.name().equals(HEADER_ONLY) && canonicalization.startsWith("simple/"));
    }

    @ParameterizedTest(name = "{0}, {1}, {2}")
    @MethodSource("oneKeyAtATime")
    void signatureByOneKeyVerifiesInBothVerifiers(Sample sample, String canonicalization, Keys keys) {
        byte[] signed = sign(sample.bytes(), canonicalization, keys);
        assertSignatureFields(signed, canonicalization, keys);
        assertAllPass(signed, verify(() -> ExternalVerifiers.dkimpy(signed, 0), () -> ExternalVerifiers.opendkim(signed)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("bothKeys")
    void eachOfTwoSignaturesVerifiesAloneInBothVerifiers(Sample sample, String canonicalization) {
        byte[] signed = sign(sample.bytes(), canonicalization, Keys.BOTH);
        assertSignatureFields(signed, canonicalization, Keys.BOTH);
        assertAllPass(signed, verify(
                () -> ExternalVerifiers.dkimpy(signed, 0), () -> ExternalVerifiers.opendkimOnly(signed, 0),
                () -> ExternalVerifiers.dkimpy(signed, 1), () -> ExternalVerifiers.opendkimOnly(signed, 1)));
    }

    /**
     * The one case where the verifiers disagree: a message that ends inside its header section
     * (no empty line, no body) signed with simple header canonicalization. dkimpy passes it;
     * libopendkim fails it with "Bad signature", and fails dkimpy's own {@code dkim.sign}
     * signature over the same message and fields just the same, so the split is between the
     * verifiers, not in directmx's signer (which hashes the last field with its CRLF, as RFC
     * 6376 §3.4.1 says and dkimpy does). Relaxed header canonicalization, or one empty line at
     * the end, satisfies both. directmx never sends such a message: the composer always writes
     * the empty line and a body.
     */
    @ParameterizedTest
    @EnumSource(value = Keys.class, names = {"RSA", "ED25519"})
    void headerOnlyMessageUnderSimpleHeaderCanonicalizationSplitsTheVerifiersAsDkimpysOwnSignatureDoes(Keys keys,
            @TempDir Path tmp) throws Exception {
        byte[] message = samples().stream().filter(s -> s.name().equals(HEADER_ONLY)).findFirst().orElseThrow().bytes();
        byte[] ours = sign(message, "simple/simple", keys);
        byte[] dkimpys = dkimpySign(message, "simple/simple", "from:from:to:subject:date:message-id", tmp);
        assertEquals(tag(ours, "bh"), tag(dkimpys, "bh"), () -> "body hashes differ:\n" + excerpt(ours)
                + "\n--- dkimpy's:\n" + excerpt(dkimpys));

        List<Verdict> verdicts = verify(() -> ExternalVerifiers.dkimpy(ours, 0), () -> ExternalVerifiers.opendkim(ours),
                () -> ExternalVerifiers.dkimpy(dkimpys, 0), () -> ExternalVerifiers.opendkim(dkimpys));
        String all = report(verdicts) + "--- ours:\n" + excerpt(ours) + "\n--- dkimpy's:\n" + excerpt(dkimpys);
        assertTrue(verdicts.get(0).pass() && verdicts.get(2).pass(), () -> "dkimpy should pass both:\n" + all);
        assertTrue(!verdicts.get(1).pass() && verdicts.get(1).output().contains("Bad signature")
                && !verdicts.get(3).pass() && verdicts.get(3).output().contains("Bad signature"),
                () -> "opendkim-testmsg should fail both with Bad signature:\n" + all);

        byte[] withEmptyLine = sign(concat(message, "\r\n".getBytes(StandardCharsets.US_ASCII)), "simple/simple", keys);
        assertAllPass(withEmptyLine, verify(() -> ExternalVerifiers.dkimpy(withEmptyLine, 0),
                () -> ExternalVerifiers.opendkim(withEmptyLine)));
    }

    @Test
    void samplesCoverWhatTheirNamesSay() {
        // Preconditions of the round trips above: a sample that lost its point would pass vacuously.
        Map<String, String> byName = new java.util.HashMap<>();
        samples().forEach(s -> byName.put(s.name(), new String(s.bytes(), StandardCharsets.UTF_8)));
        String html = byName.get("html and text (multipart/alternative)");
        assertTrue(html.contains("Content-Type: multipart/alternative;"), html);
        String mixed = byName.get("attachments (multipart/mixed, base64)");
        assertTrue(mixed.contains("Content-Type: multipart/mixed;") && mixed.contains("Content-Transfer-Encoding: base64"),
                mixed);
        String folded = byName.get("long folded Subject and To");
        String head = folded.substring(0, folded.indexOf("\r\n\r\n"));
        assertTrue(head.lines().filter(l -> l.startsWith(" ") || l.startsWith("\t")).count() >= 5,
                () -> "Subject and To should fold over several lines:\n" + head);
        assertTrue(head.lines().filter(l -> l.startsWith("Subject:")).findFirst().orElseThrow().length() < 300,
                () -> "the Subject should be folded:\n" + head);
        String eightBit = byName.get("8bit UTF-8 body");
        assertTrue(eightBit.contains("Content-Transfer-Encoding: 8bit") && eightBit.contains("Grüße aus Köln"), eightBit);
        String sevenBit = byName.get("8bit UTF-8 downgraded to 7 bit (quoted-printable)");
        assertTrue(sevenBit.contains("Content-Transfer-Encoding: quoted-printable")
                && sevenBit.contains("Gr=C3=BC=C3=9Fe aus K=C3=B6ln"), sevenBit);
        assertTrue(sevenBit.chars().allMatch(c -> c < 128), () -> "the 7-bit form has an 8-bit octet:\n" + sevenBit);
        assertFalse(byName.get("body without a final CRLF").endsWith("\n"));
        assertFalse(byName.get("header only, no empty line").contains("\r\n\r\n"));
    }

    // ------------------------------------------------------------------ negative controls

    @ParameterizedTest
    @EnumSource(value = Keys.class, names = {"RSA", "ED25519"})
    void changedBodyFailsInBothVerifiersAfterTheSameMessagePassed(Keys keys) {
        byte[] signed = sign(samples().get(0).bytes(), "relaxed/relaxed", keys);
        assertAllPass(signed, verify(() -> ExternalVerifiers.dkimpy(signed, 0), () -> ExternalVerifiers.opendkim(signed)));

        byte[] changed = replace(signed, "the numbers are in.", "the numbers are out.");
        Verdict dkimpy = ExternalVerifiers.dkimpy(changed, 0);
        Verdict opendkim = ExternalVerifiers.opendkim(changed);
        assertAllFail(changed, List.of(dkimpy, opendkim));
        assertTrue(dkimpy.output().contains("body hash mismatch"), dkimpy::toString);
        assertTrue(opendkim.output().contains("Bad signature"), opendkim::toString);
    }

    @ParameterizedTest
    @EnumSource(value = Keys.class, names = {"RSA", "ED25519"})
    void changedSignedHeaderFailsInBothVerifiersAfterTheSameMessagePassed(Keys keys) {
        byte[] signed = sign(samples().get(0).bytes(), "relaxed/relaxed", keys);
        assertAllPass(signed, verify(() -> ExternalVerifiers.dkimpy(signed, 0), () -> ExternalVerifiers.opendkim(signed)));

        byte[] changed = replace(signed, "Subject: Plain text", "Subject: Plain text!");
        Verdict opendkim = ExternalVerifiers.opendkim(changed);
        assertAllFail(changed, List.of(ExternalVerifiers.dkimpy(changed, 0), opendkim));
        assertTrue(opendkim.output().contains("Bad signature"), opendkim::toString);
    }

    @Test
    void revokedSelectorFailsInBothVerifiersWhereThePublishedOnePasses() {
        byte[] message = samples().get(0).bytes();
        byte[] good = sign(message, "relaxed/relaxed", Keys.RSA);
        assertAllPass(good, verify(() -> ExternalVerifiers.dkimpy(good, 0), () -> ExternalVerifiers.opendkim(good)));

        // The same key under s=revoked, whose record has an empty p= (RFC 6376 §3.6.1).
        SigningKey revoked = new SigningKey(DOMAIN, "revoked", RSA.privateKey());
        byte[] signed = new DkimSigner(SigningSettings.defaults()).sign(message, List.of(revoked), Instant.now()).bytes();
        Verdict opendkim = ExternalVerifiers.opendkim(signed);
        assertAllFail(signed, List.of(ExternalVerifiers.dkimpy(signed, 0), opendkim));
        assertTrue(opendkim.output().contains("Revoked key"), opendkim::toString);
    }

    /**
     * Why the Deliverer signs after the 8BITMIME downgrade: a signature made over the 8-bit
     * form fails on the 7-bit form (another body, the same signed header fields), while one
     * made over the 7-bit form passes.
     */
    @ParameterizedTest
    @EnumSource(value = Keys.class, names = {"RSA", "ED25519"})
    void signatureOverThe8BitFormFailsOnThe7BitFormAndOneOverThe7BitFormPasses(Keys keys) {
        ComposedMessage composed = compose(eightBitRequest());
        byte[] sevenBit = composed.sevenBit();
        byte[] signedSevenBit = sign(sevenBit, "relaxed/relaxed", keys);
        assertAllPass(signedSevenBit, verify(() -> ExternalVerifiers.dkimpy(signedSevenBit, 0),
                () -> ExternalVerifiers.opendkim(signedSevenBit)));

        byte[] eightBit = composed.bytes();
        byte[] signedEightBit = sign(eightBit, "relaxed/relaxed", keys);
        byte[] fields = Arrays.copyOf(signedEightBit, signedEightBit.length - eightBit.length);
        byte[] transplanted = concat(fields, sevenBit);
        Verdict dkimpy = ExternalVerifiers.dkimpy(transplanted, 0);
        assertAllFail(transplanted, List.of(dkimpy, ExternalVerifiers.opendkim(transplanted)));
        assertTrue(dkimpy.output().contains("body hash mismatch"), dkimpy::toString);
    }

    // ------------------------------------------------------------------ helpers

    /** Runs the verifiers side by side (each is a process; dkimpy takes ~0.5 s to start) and returns their verdicts in order. */
    @SafeVarargs
    private static List<Verdict> verify(Callable<Verdict>... runs) {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Verdict> verdicts = new ArrayList<>();
            for (Future<Verdict> future : pool.invokeAll(List.of(runs))) {
                try {
                    verdicts.add(future.get());
                } catch (ExecutionException e) {
                    // A broken harness (AssertionError) or a bad argument: rethrow it as it was.
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new AssertionError("a verifier run failed: " + e.getCause(), e.getCause());
                }
            }
            return verdicts;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while verifying", e);
        }
    }

    /** dkimpy's {@code dkim.sign} with the RSA test key: its DKIM-Signature field, then the message. */
    private static byte[] dkimpySign(byte[] message, String canonicalization, String headers, Path tmp)
            throws IOException, InterruptedException {
        Path key = tmp.resolve("rsa2026.pem");
        Files.writeString(key, PrivateKeys.toPem(RSA.privateKey()));
        List<String> command = List.of(PYTHON, "-c", DKIMPY_SIGN, RSA.selector(), DOMAIN, canonicalization, headers,
                key.toString());
        Path out = tmp.resolve("dkimpy-signed.eml");
        Path err = tmp.resolve("dkimpy-sign.err");
        Path in = Files.write(tmp.resolve("unsigned.eml"), message);
        Process process = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "dkimpy signing did not finish within 30 s");
        assertEquals(0, process.exitValue(), () -> "dkimpy signing failed: " + read(err));
        byte[] signed = Files.readAllBytes(out);
        assertTrue(new String(signed, StandardCharsets.US_ASCII).startsWith("DKIM-Signature: "),
                () -> "dkimpy wrote no DKIM-Signature: " + read(err));
        return signed;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /** The value of {@code name=} in the first DKIM-Signature field, white space removed. */
    private static String tag(byte[] signed, String name) {
        String field = signatureFields(signed).get(0).replaceAll("\\s+", "");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|;|:)" + name + "=([^;]*)").matcher(field);
        assertTrue(m.find(), () -> "no " + name + "= in " + field);
        return m.group(1);
    }

    private static byte[] sign(byte[] message, String canonicalization, Keys keys) {
        SigningSettings settings = SigningSettings.defaults().withCanonicalization("test", canonicalization);
        return new DkimSigner(settings).sign(message, keys.keys, Instant.now()).bytes();
    }

    /** One DKIM-Signature field per key, on top, in order, with the c=, d=, s= and a= asked for. */
    private static void assertSignatureFields(byte[] signed, String canonicalization, Keys keys) {
        List<String> fields = signatureFields(signed);
        assertEquals(keys.keys.size(), fields.size(), () -> "DKIM-Signature fields:\n" + excerpt(signed));
        for (int i = 0; i < fields.size(); i++) {
            int index = i;
            SigningKey key = keys.keys.get(i);
            String field = fields.get(i).replaceAll("\\s+", "");
            for (String tag : List.of("c=" + canonicalization + ";", "d=" + DOMAIN + ";", "s=" + key.selector() + ";",
                    "a=" + key.algorithm().tag() + ";")) {
                assertTrue(field.contains(tag), () -> "signature " + index + " lacks " + tag
                        + ":\n" + excerpt(signed));
            }
        }
    }

    /** The DKIM-Signature fields at the top of {@code signed}, unfolded. */
    private static List<String> signatureFields(byte[] signed) {
        List<String> fields = new ArrayList<>();
        for (String line : new String(signed, StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.startsWith("DKIM-Signature:")) {
                fields.add(line);
            } else if (!fields.isEmpty() && (line.startsWith("\t") || line.startsWith(" "))) {
                fields.set(fields.size() - 1, fields.get(fields.size() - 1) + line);
            } else {
                break;
            }
        }
        return fields;
    }

    private static void assertAllPass(byte[] signed, List<Verdict> verdicts) {
        if (!verdicts.stream().allMatch(Verdict::pass)) {
            fail("every verifier should pass:\n" + report(verdicts) + "\n--- signed message:\n" + excerpt(signed));
        }
    }

    private static void assertAllFail(byte[] signed, List<Verdict> verdicts) {
        if (verdicts.stream().anyMatch(Verdict::pass)) {
            fail("every verifier should fail:\n" + report(verdicts) + "\n--- message:\n" + excerpt(signed));
        }
    }

    private static String report(List<Verdict> verdicts) {
        StringBuilder out = new StringBuilder();
        verdicts.forEach(v -> out.append("  ").append(v).append('\n'));
        return out.toString();
    }

    /** The message for an assertion message: whole when short, else its head and its end. */
    private static String excerpt(byte[] message) {
        String text = new String(message, StandardCharsets.UTF_8).replace("\r", "\\r");
        return text.length() <= 4000 ? text
                : text.substring(0, 3000) + "\n[... " + (text.length() - 3500) + " chars ...]\n"
                        + text.substring(text.length() - 500);
    }

    private static byte[] replace(byte[] message, String from, String to) {
        String text = new String(message, StandardCharsets.UTF_8);
        assertTrue(text.contains(from), () -> "no '" + from + "' in the message:\n" + excerpt(message));
        return text.replace(from, to).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Bytes that look like a small PDF: a text header, then every octet value. */
    private static byte[] pdfLike(int length) {
        byte[] bytes = new byte[length];
        byte[] header = "%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(header, 0, bytes, 0, header.length);
        for (int i = header.length; i < length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static PrivateKey testKey(String selector) {
        String resource = "/dkim/" + selector + ".pem";
        try (InputStream in = VerifierRoundTripIT.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("no test key " + resource + " on the classpath");
            }
            return PrivateKeys.parse(resource, new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new AssertionError("cannot read " + resource, e);
        }
    }
}
