package dev.directmx.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.directmx.dkim.ExternalVerifiers;
import dev.directmx.dkim.ExternalVerifiers.Verdict;
import dev.directmx.message.MessageRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DKIM end to end: the real {@code directmx send} signs with the committed test keys
 * ({@code --dkim-key dkim.example/rsa2026=file:...}, {@code .../ed2026=file:...}), delivers to
 * the peers of scripts/test.sh, and the copy the receiving server stored is checked, as
 * stored, by dkimpy's {@code dkimverify} and OpenDKIM's {@code opendkim-testmsg} ({@link
 * ExternalVerifiers}, in the namespace of scripts/peers/dkim.sh, whose DNS publishes the keys).
 *
 * <p>The stored copies need no conversion before verifying. smtp-sink's dump (the {@code
 * no8bit} peer, scripts/peers/faults) is the message as received with LF line ends, dot
 * stuffing undone, its own X-Client-Addr ... Received fields on top and one empty line
 * added at the end; Postfix's Maildir copy has LF line ends and Return-Path, X-Original-To,
 * Delivered-To and Received on top. Both verifiers read LF as CRLF, the added fields are not
 * signed, and both body canonicalizations ignore empty lines at the end of the body, so the
 * signatures verify under simple/simple as well as relaxed/relaxed.
 *
 * <p>Every scenario adds a row to {@code target/interop-report.txt}. Needs the peers
 * (start.sh, mtas.sh, faults.sh, dkim.sh) and their env files in the environment.
 */
class DkimDeliveryIT {

    private static final String SIGNED_FROM = "someone@dkim.example";
    private static final String UTF8_TEXT = "Grüße aus Köln\nZeile zwei: 100 € für Müller";
    private static final String UTF8_QP = "Gr=C3=BC=C3=9Fe aus K=C3=B6ln";
    private static final Duration MAILBOX_WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    // ---- (a) and (b): dual-signed 8-bit mail, stored copies verified

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"relaxed/relaxed", "simple/simple"})
    void dualSignedUtf8MailToAServerWithout8BitMimeArrivesAsQuotedPrintableAndVerifies(String canonicalization)
            throws Exception {
        Path dumps = Path.of(InteropSuiteIT.env("DIRECTMX_FAULTS_NO8BIT_MAIL"));
        String to = "dkim-" + UUID.randomUUID().toString().substring(0, 8) + "@" + InteropSuiteIT.domain("NO8BIT");
        Set<String> before = fileNames(dumps);
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send(SIGNED_FROM, to, UTF8_TEXT, canonicalization, bothKeys());
        Stored dump = run.exitCode() == 0 ? awaitStored(dumps, before, run, "smtp-sink (no8bit)") : null;
        List<Verdict> verdicts = dump == null ? List.of() : verifyBoth(dump.bytes());

        row("DKIM rsa+ed25519 " + canonicalization + " -> no 8BITMIME", "delivered QP, 2 signatures verify in both",
                t0, outcome(run, verdicts), () -> {
                    assertThat(run.exitCode()).as(run.toString()).isZero();
                    assertThat(run.recipient(0).path("status").asText()).as(run.toString()).isEqualTo("delivered");
                    assertSignedReport(run);
                    String text = dump.text();
                    assertThat(text).as("smtp-sink's dump %s", dump.file())
                            .startsWith("X-Client-Addr: ")
                            .contains("Content-Transfer-Encoding: quoted-printable", UTF8_QP)
                            .doesNotContain("BODY=8BITMIME")
                            .endsWith("\n\n");
                    assertThat(dump.eightBitOctets()).as("8-bit octets in the dump\n%s", text).isZero();
                    assertSignatureFields(dump, canonicalization);
                    assertAllPass(verdicts, dump);
                });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"relaxed/relaxed", "simple/simple"})
    void dualSignedUtf8MailToPostfixArrivesAs8BitAndVerifies(String canonicalization) throws Exception {
        Path mailbox = Path.of(InteropSuiteIT.env("DIRECTMX_IT_POSTFIX_MAILBOX"));
        Set<String> before = fileNames(mailbox);
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send(SIGNED_FROM, "recipient@example.net", UTF8_TEXT, canonicalization, bothKeys());
        Stored stored = run.exitCode() == 0 ? awaitStored(mailbox, before, run, "Postfix") : null;
        List<Verdict> verdicts = stored == null ? List.of() : verifyBoth(stored.bytes());

        row("DKIM rsa+ed25519 " + canonicalization + " -> Postfix", "delivered 8bit, 2 signatures verify in both",
                t0, outcome(run, verdicts), () -> {
                    assertThat(run.exitCode()).as(run.toString()).isZero();
                    assertThat(run.recipient(0).path("status").asText()).as(run.toString()).isEqualTo("delivered");
                    assertSignedReport(run);
                    assertThat(stored.text()).as("Postfix's copy %s", stored.file())
                            .startsWith("Return-Path: ")
                            .contains("Content-Transfer-Encoding: 8bit", "Grüße aus Köln");
                    assertSignatureFields(stored, canonicalization);
                    assertAllPass(verdicts, stored);
                });
    }

    // ---- (c) a sender without a key

    @Test
    void mailFromADomainWithoutAKeyGoesUnsignedAndSaysWhy() throws Exception {
        Path mailbox = Path.of(InteropSuiteIT.env("DIRECTMX_IT_POSTFIX_MAILBOX"));
        Set<String> before = fileNames(mailbox);
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send("sender@example.com", "recipient@example.net", "No key for this domain.",
                null, bothKeys());
        Stored stored = run.exitCode() == 0 ? awaitStored(mailbox, before, run, "Postfix") : null;
        JsonNode dkim = run.json() == null ? null : run.json().path("dkim");

        row("DKIM: From domain without a key", "delivered unsigned, reason names example.com", t0,
                InteropSuiteIT.describe(run.recipient(0)) + "; dkim " + dkim, () -> {
                    assertThat(run.exitCode()).as(run.toString()).isZero();
                    assertThat(dkim.path("signed").isBoolean()).as(run.toString()).isTrue();
                    assertThat(dkim.path("signed").asBoolean()).as(run.toString()).isFalse();
                    assertThat(dkim.path("reason").asText()).as(run.toString()).contains("example.com");
                    assertThat(dkim.has("signatures")).as(run.toString()).isFalse();
                    assertThat(stored.text()).as("Postfix's copy %s", stored.file())
                            .contains("From: sender@example.com")
                            .doesNotContainIgnoringCase("DKIM-Signature");
                });
    }

    // ---- (d) a key that cannot be read

    @Test
    void missingKeyFileExits64NamingTheFileAndSendsNothing() throws Exception {
        Path dumps = Path.of(InteropSuiteIT.env("DIRECTMX_FAULTS_NO8BIT_MAIL"));
        String to = "dkim-missing-" + UUID.randomUUID().toString().substring(0, 8) + "@"
                + InteropSuiteIT.domain("NO8BIT");
        Path missing = tmp.resolve("no-such-dir").resolve("rsa2026.pem");
        Set<String> before = fileNames(dumps);
        long t0 = System.nanoTime();
        // A readable Ed25519 key beside the missing one: one bad key stops the send, rather
        // than the message going out with fewer signatures than configured.
        DirectmxJar.Run run = send(SIGNED_FROM, to, "Never sent.", null,
                List.of("dkim.example/rsa2026=file:" + missing, "dkim.example/ed2026=file:" + keyFile("ed2026")));
        List<String> arrived = newFilesMentioning(dumps, before, to);

        row("DKIM: --dkim-key file missing", "exit 64 naming the key and file, nothing sent", t0,
                "exit " + run.exitCode() + ": " + run.stderr().strip(), () -> {
                    assertThat(run.exitCode()).as(run.toString()).isEqualTo(64);
                    assertThat(run.stderr()).as(run.toString()).contains("the DKIM key dkim.example/rsa2026: file:" + missing)
                            .contains("no such file");
                    assertThat(run.stdout()).as("no report: nothing was attempted\n%s", run).isBlank();
                    assertThat(arrived).as("dumps for %s", to).isEmpty();
                });
    }

    // ------------------------------------------------------------------ sending

    private List<String> bothKeys() throws IOException {
        return List.of("dkim.example/rsa2026=file:" + keyFile("rsa2026"), "dkim.example/ed2026=file:" + keyFile("ed2026"));
    }

    /** The committed test key, copied out of the classpath: the jar reads it as a user's file. */
    private Path keyFile(String selector) throws IOException {
        Path file = tmp.resolve(selector + ".pem");
        if (!Files.exists(file)) {
            try (InputStream in = DkimDeliveryIT.class.getResourceAsStream("/dkim/" + selector + ".pem")) {
                assertThat(in).as("test key /dkim/%s.pem on the classpath", selector).isNotNull();
                Files.copy(in, file);
            }
        }
        return file;
    }

    /**
     * {@code directmx send} with the message in a JSON file (UTF-8 survives, unlike arguments
     * under a POSIX locale). A fresh token in the Subject makes the Message-ID, which derives
     * from the content, new on every run. {@code canonicalization} null means the default.
     */
    private DirectmxJar.Run send(String from, String to, String text, String canonicalization, List<String> keys)
            throws Exception {
        MessageRequest request = new MessageRequest(null, from, null, List.of(to), List.of(), List.of(), List.of(),
                "DKIM check " + UUID.randomUUID(), text, null, Map.of(), List.of());
        Path message = Files.writeString(tmp.resolve(UUID.randomUUID() + ".json"), request.toJson(),
                StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of("--message", message.toString(),
                "--dns", InteropSuiteIT.env("DIRECTMX_IT_DNS"), "--allow-private", "--fallback-ports", "none",
                "--deadline", "30s"));
        for (String key : keys) {
            args.addAll(List.of("--dkim-key", key));
        }
        if (canonicalization != null && !canonicalization.equals("relaxed/relaxed")) {
            args.addAll(List.of("--dkim-canonicalization", canonicalization));
        }
        return DirectmxJar.send(120, args.toArray(String[]::new));
    }

    // ------------------------------------------------------------------ the stored copy

    /** A message as a server stored it: the file and its octets, unchanged. */
    private record Stored(Path file, byte[] bytes) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        long eightBitOctets() {
            long n = 0;
            for (byte b : bytes) {
                n += b < 0 ? 1 : 0;
            }
            return n;
        }

        /** The DKIM-Signature fields of the header section, top first, unfolded. */
        List<String> signatureFields() {
            List<String> fields = new ArrayList<>();
            boolean inSignature = false;
            for (String line : text().split("\r?\n", -1)) {
                if (line.isEmpty()) {
                    break;   // the end of the header section
                }
                if (line.startsWith(" ") || line.startsWith("\t")) {
                    if (inSignature) {
                        fields.set(fields.size() - 1, fields.get(fields.size() - 1) + line);
                    }
                    continue;
                }
                inSignature = line.regionMatches(true, 0, "DKIM-Signature:", 0, "DKIM-Signature:".length());
                if (inSignature) {
                    fields.add(line);
                }
            }
            return fields;
        }
    }

    /**
     * Waits for a new file carrying the Message-ID the run reported. smtp-sink writes its dump
     * while it receives; Postfix moves the whole file into {@code new/}: so a file holding the
     * Message-ID may still grow at smtp-sink, and is read again until two reads agree.
     */
    private static Stored awaitStored(Path dir, Set<String> before, DirectmxJar.Run run, String server)
            throws IOException, InterruptedException {
        String messageId = run.json() == null ? null : run.json().path("messageId").asText(null);
        assertThat(messageId).as("messageId in the report\n%s", run).isNotNull();
        long deadline = System.nanoTime() + MAILBOX_WAIT.toNanos();
        while (true) {
            for (String name : fileNames(dir)) {
                if (before.contains(name)) {
                    continue;
                }
                Path file = dir.resolve(name);
                byte[] bytes = Files.readAllBytes(file);
                if (new String(bytes, StandardCharsets.UTF_8).contains(messageId)) {
                    Thread.sleep(200);
                    byte[] again = Files.readAllBytes(file);
                    if (java.util.Arrays.equals(bytes, again)) {
                        return new Stored(file, bytes);
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no file with Message-ID " + messageId + " reached " + dir + " (" + server
                        + ") within " + MAILBOX_WAIT.toSeconds() + " s\n" + run);
            }
            Thread.sleep(200);
        }
    }

    private static List<String> newFilesMentioning(Path dir, Set<String> before, String text) throws IOException {
        List<String> found = new ArrayList<>();
        for (String name : fileNames(dir)) {
            if (!before.contains(name) && Files.readString(dir.resolve(name), StandardCharsets.ISO_8859_1).contains(text)) {
                found.add(name);
            }
        }
        return found;
    }

    private static Set<String> fileNames(Path dir) throws IOException {
        assertThat(dir).as("mail directory of the peers").isDirectory();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .collect(TreeSet::new, Set::add, Set::addAll);
        }
    }

    // ------------------------------------------------------------------ verdicts

    /** Each of the two signatures alone, in each verifier: dkimpy 0, opendkim 0, dkimpy 1, opendkim 1. */
    private static List<Verdict> verifyBoth(byte[] stored) {
        return List.of(ExternalVerifiers.dkimpy(stored, 0), ExternalVerifiers.opendkimOnly(stored, 0),
                ExternalVerifiers.dkimpy(stored, 1), ExternalVerifiers.opendkimOnly(stored, 1));
    }

    private static void assertSignedReport(DirectmxJar.Run run) {
        JsonNode dkim = run.json().path("dkim");
        assertThat(dkim.path("signed").asBoolean()).as(run.toString()).isTrue();
        assertThat(dkim.path("signatures").findValuesAsText("selector")).as(run.toString())
                .containsExactly("rsa2026", "ed2026");
        assertThat(dkim.path("signatures").findValuesAsText("algorithm")).as(run.toString())
                .containsExactly("rsa-sha256", "ed25519-sha256");
        assertThat(dkim.path("signatures").findValuesAsText("domain")).as(run.toString())
                .containsExactly("dkim.example", "dkim.example");
    }

    /** Two fields, RSA's on top, with the canonicalization asked for. */
    private static void assertSignatureFields(Stored stored, String canonicalization) {
        List<String> fields = stored.signatureFields().stream().map(f -> f.replaceAll("\\s+", "")).toList();
        assertThat(fields).as("DKIM-Signature fields in %s\n%s", stored.file(), stored.text()).hasSize(2);
        assertThat(fields.get(0)).contains("a=rsa-sha256;", "s=rsa2026;", "d=dkim.example;", "c=" + canonicalization + ";");
        assertThat(fields.get(1)).contains("a=ed25519-sha256;", "s=ed2026;", "d=dkim.example;", "c=" + canonicalization + ";");
    }

    private static void assertAllPass(List<Verdict> verdicts, Stored stored) {
        assertThat(verdicts).as("verdicts on %s:\n%s\n--- stored copy:\n%s", stored.file(), lines(verdicts), stored.text())
                .hasSize(4).allMatch(Verdict::pass);
    }

    private static String lines(List<Verdict> verdicts) {
        StringBuilder out = new StringBuilder();
        verdicts.forEach(v -> out.append("  ").append(v).append('\n'));
        return out.toString();
    }

    /** The report's actual column: the delivery and how many verdicts passed. */
    private static String outcome(DirectmxJar.Run run, List<Verdict> verdicts) {
        long dkimpy = verdicts.stream().filter(v -> v.verifier().startsWith("dkimverify") && v.pass()).count();
        long opendkim = verdicts.stream().filter(v -> v.verifier().startsWith("opendkim") && v.pass()).count();
        return InteropSuiteIT.describe(run.recipient(0)) + "; dkimverify " + dkimpy + "/2, opendkim-testmsg "
                + opendkim + "/2";
    }

    private static void row(String scenario, String expected, long startNanos, String actual, Runnable assertions) {
        InteropSuiteITRow.add(scenario, expected, startNanos, actual, assertions);
    }
}
