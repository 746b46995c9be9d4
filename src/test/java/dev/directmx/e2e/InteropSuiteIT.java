package dev.directmx.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interop and fault suite: the real {@code directmx send} against real servers on loopback
 * (Postfix, OpenSMTPD, Exim, Postfix listeners with postgrey and broken TLS, smtp-sink scripted
 * faults, NSD and a DNS proxy for SERVFAIL), one scenario per test, each asserting the final
 * per-recipient outcome, the route and what arrived. Every scenario adds a row to
 * {@code target/interop-report.txt}. The peers come from scripts/peers/{start,mtas,faults}.sh;
 * scripts/test.sh starts them and exports their variables.
 */
class InteropSuiteIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new AssertionError(name + " is not set: start the peers (scripts/peers/start.sh, mtas.sh start, "
                    + "faults.sh start) and export target/peers/*.env, or run scripts/test.sh");
        }
        return value;
    }

    static String domain(String name) {
        return env("DIRECTMX_FAULTS_" + name + "_DOMAIN");
    }

    /** Writes the message as JSON (UTF-8 survives, unlike command-line arguments under a POSIX locale). */
    private Path message(List<String> to, String text) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("from", "sender@example.com");
        m.putPOJO("to", to);
        m.put("subject", "This is a sendable email");
        m.put("text", text);
        Path file = tmp.resolve(UUID.randomUUID() + ".json");
        Files.writeString(file, m.toString());
        return file;
    }

    private DirectmxJar.Run send(List<String> to, String text, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--message", message(to, text).toString(),
                "--dns", env("DIRECTMX_IT_DNS"), "--allow-private"));
        args.addAll(List.of(options));
        if (!args.contains("--deadline")) {
            args.addAll(List.of("--deadline", "30s"));
        }
        return DirectmxJar.send(120, args.toArray(String[]::new));
    }

    private DirectmxJar.Run send(String to, String... options) throws Exception {
        return send(List.of(to), "Hi there,\nDid it hit the Spam folder?", options);
    }

    /** "delivered 2.0.0 via host [address]:port TLSv1.3" for the table. */
    static String describe(JsonNode r) {
        if (r == null || r.isMissingNode()) {
            return "no result";
        }
        JsonNode route = r.path("route");
        String where = route.isMissingNode() || route.isNull() ? ""
                : " via " + route.path("address").asText() + ":" + route.path("port").asInt()
                        + (route.path("tls").isNull() || route.path("tls").isMissingNode() ? " plain"
                                : " " + route.path("tls").path("protocol").asText());
        return r.path("status").asText() + " " + r.path("reply").path("code").asInt() + " "
                + r.path("reply").path("enhancedCode").asText("") + where;
    }

    /** Records a row, then fails the test if the scenario did not go as expected. */
    private static void row(String scenario, String expected, long startNanos, String actual, Runnable assertions) {
        InteropSuiteITRow.add(scenario, expected, startNanos, actual, assertions);
    }

    private void delivered(String scenario, String to, String host, int port, boolean tls, String... options)
            throws Exception {
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send(to, options);
        JsonNode r = run.recipient(0);
        row(scenario, "delivered via " + host + ":" + port + (tls ? " TLS" : ""), t0, describe(r), () -> {
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(r.path("status").asText()).isEqualTo("delivered");
            assertThat(r.path("route").path("address").asText()).isIn(host, normalise(host));
            assertThat(r.path("route").path("port").asInt()).isEqualTo(port);
            assertThat(r.path("route").path("tls").isObject()).as("TLS used").isEqualTo(tls);
        });
    }

    private static String normalise(String host) {
        return host.equals("::1") ? "0:0:0:0:0:0:0:1" : host;
    }

    private void outcome(String scenario, String to, String status, String enhanced, int exit, String... options)
            throws Exception {
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send(to, options);
        JsonNode r = run.recipient(0);
        row(scenario, status + " " + enhanced, t0, describe(r), () -> {
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(exit);
            assertThat(r.path("status").asText()).as(run.toString()).isEqualTo(status);
            assertThat(r.path("reply").path("enhancedCode").asText()).as(run.toString()).isEqualTo(enhanced);
        });
    }

    private static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
        }
    }

    // ---- the three MTAs

    @Test
    void seedMessageToPostfixOverStartTls() throws Exception {
        delivered("seed -> Postfix", "recipient@example.net", env("DIRECTMX_IT_POSTFIX_HOST"), 25, true);
    }

    @Test
    void seedMessageToOpenSmtpdOverStartTls() throws Exception {
        delivered("seed -> OpenSMTPD", "recipient@opensmtpd.example", env("DIRECTMX_IT_OPENSMTPD_HOST"), 25, true);
    }

    @Test
    void seedMessageToEximOverStartTls() throws Exception {
        delivered("seed -> Exim", "recipient@exim.example", env("DIRECTMX_IT_EXIM_HOST"), 25, true);
    }

    // ---- routes

    @Test
    void nolistingFirstMxRefusesTheSecondAccepts() throws Exception {
        delivered("nolisting", "a@" + domain("NOLISTING"), env("DIRECTMX_FAULTS_NOLISTING_HOST"), 25, false);
    }

    @Test
    void allMxDeadTheDomainsAddressAccepts() throws Exception {
        delivered("all MX dead -> A record", "a@" + domain("DEADMX"), env("DIRECTMX_FAULTS_DEADMX_HOST"), 25, false);
    }

    @Test
    void noMxRecordMeansImplicitMx() throws Exception {
        delivered("no MX -> implicit MX", "a@" + domain("NOMX"), env("DIRECTMX_FAULTS_NOMX_HOST"), 25, false);
    }

    @Test
    void mxWithOnlyAnAaaaRecordIsReachedOverIpv6() throws Exception {
        delivered("MX with AAAA only (::1)", "a@" + domain("V6ONLY"), "::1", 25, false);
    }

    @Test
    void port25ClosedSubmissionWithStartTlsAccepts() throws Exception {
        delivered("25 closed -> 587 STARTTLS", "a@" + domain("SUBMISSION"), env("DIRECTMX_FAULTS_SUBMISSION_HOST"), 587, true);
    }

    @Test
    void onlyImplicitTlsOn465Accepts() throws Exception {
        delivered("only 465 implicit TLS", "a@" + domain("SMTPS"), env("DIRECTMX_FAULTS_SMTPS_HOST"), 465, true);
    }

    // ---- DNS

    @Test
    void nullMxFailsAtOnce() throws Exception {
        outcome("null MX", "a@" + env("DIRECTMX_FAULTS_NULLMX_DOMAIN"), "failed", "5.1.10", 69);
    }

    @Test
    void nxdomainFailsAtOnce() throws Exception {
        outcome("NXDOMAIN", "a@" + env("DIRECTMX_FAULTS_NXDOMAIN_DOMAIN"), "failed", "5.1.2", 69);
    }

    @Test
    void servfailIsDeferred() throws Exception {
        long t0 = System.nanoTime();
        List<String> args = List.of("--message", message(List.of("a@" + env("DIRECTMX_FAULTS_SERVFAIL_DOMAIN")), "x").toString(),
                "--dns", env("DIRECTMX_FAULTS_DNS_PROXY"), "--allow-private", "--deadline", "30s");
        DirectmxJar.Run run = DirectmxJar.send(120, args.toArray(String[]::new));
        JsonNode r = run.recipient(0);
        row("SERVFAIL", "deferred 4.4.3", t0, describe(r), () -> {
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(75);
            assertThat(r.path("reply").path("enhancedCode").asText()).isEqualTo("4.4.3");
            assertThat(r.path("reply").path("text").asText()).contains("SERVFAIL");
        });
    }

    @Test
    void refusedZoneIsDeferred() throws Exception {
        outcome("REFUSED (zone not served)", "a@" + env("DIRECTMX_FAULTS_REFUSED_DOMAIN"), "deferred", "4.4.3", 75);
    }

    @Test
    void mxTargetThatDoesNotResolveIsDeferred() throws Exception {
        outcome("MX target unresolvable", "a@" + env("DIRECTMX_FAULTS_DANGLING_DOMAIN"), "deferred", "4.4.3", 75);
    }

    // ---- replies

    @Test
    void rcpt451IsDeferred() throws Exception {
        outcome("451 at RCPT", "a@" + domain("TEMPFAIL"), "deferred", "4.3.0", 75, "--fallback-ports", "none");
    }

    @Test
    void mailboxFull452IsDeferred() throws Exception {
        outcome("452 mailbox full", "a@" + domain("FULL"), "deferred", "4.2.2", 75, "--fallback-ports", "none");
    }

    @Test
    void mailboxFull552AfterDataFailsButStaysRetryable() throws Exception {
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send("a@" + domain("FULL2"), "--fallback-ports", "none");
        JsonNode r = run.recipient(0);
        row("552 after data", "failed 5.2.2 retryable", t0, describe(r), () -> {
            assertThat(r.path("status").asText()).as(run.toString()).isEqualTo("failed");
            assertThat(r.path("retryable").asBoolean()).isTrue();
            assertThat(r.path("reply").path("code").asInt()).isEqualTo(552);
        });
    }

    @Test
    void userUnknown550FailsButStaysRetryableForTheWindow() throws Exception {
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send("a@" + domain("UNKNOWN"), "--fallback-ports", "none");
        JsonNode r = run.recipient(0);
        row("550 user unknown", "failed 5.1.1 retryable", t0, describe(r), () -> {
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(69);
            assertThat(r.path("status").asText()).isEqualTo("failed");
            assertThat(r.path("retryable").asBoolean()).isTrue();
            assertThat(r.path("reply").path("enhancedCode").asText()).isEqualTo("5.1.1");
        });
    }

    @Test
    void threeRecipientsGetThreeOutcomesInOneTransaction() throws Exception {
        String d = domain("MIXED");
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send(List.of("ok@" + d, "full@" + d, "nobody@" + d), "Hi there");
        String actual = run.json() == null ? "no result" : run.json().path("recipients").findValues("status").toString();
        row("mixed: 250 / 452 / 550", "[delivered, deferred, failed]", t0, actual, () -> {
            assertThat(run.json().path("recipients").findValuesAsText("status"))
                    .as(run.toString()).containsExactly("delivered", "deferred", "failed");
            assertThat(run.json().path("sessions")).hasSize(1);
            assertThat(run.exitCode()).isEqualTo(75);
        });
    }

    @Test
    void serverThatNeverAnswersIsDeferredAtTheDeadline() throws Exception {
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send("a@" + domain("SILENT"), "--deadline", "8s");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        JsonNode r = run.recipient(0);
        String elapsed = run.json() == null ? "" : " after " + run.json().path("elapsedMillis").asLong() + " ms";
        row("silent server, 8 s deadline", "deferred 4.4.7 within the deadline", t0, describe(r) + elapsed, () -> {
            assertThat(r.path("status").asText()).as(run.toString()).isEqualTo("deferred");
            assertThat(r.path("reply").path("enhancedCode").asText()).isEqualTo("4.4.7");
            assertThat(r.path("reply").path("text").asText()).contains("deadline");
            // The deadline bounds the delivery; the rest is the JVM starting.
            assertThat(run.json().path("elapsedMillis").asLong()).isLessThan(8_000 + 2_000);
            assertThat(took).isLessThan(Duration.ofSeconds(30));
        });
    }

    @Test
    void connectionDroppedInDataIsNotDelivered() throws Exception {
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send("a@" + domain("DROP"), "--fallback-ports", "none");
        JsonNode r = run.recipient(0);
        row("connection dropped in DATA", "deferred, not delivered", t0, describe(r), () -> {
            assertThat(r.path("status").asText()).as(run.toString()).isEqualTo("deferred");
            assertThat(run.exitCode()).isEqualTo(75);
            assertThat(r.path("reply").path("text").asText()).contains("closed");
        });
    }

    @Test
    void greeting421MovesOnAndEndsDeferred() throws Exception {
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send("a@" + domain("BUSY"));
        JsonNode r = run.recipient(0);
        row("421 greeting", "deferred, every route tried", t0, describe(r), () -> {
            assertThat(r.path("status").asText()).as(run.toString()).isEqualTo("deferred");
            assertThat(run.json().path("sessions").toString()).contains("S: 421");
        });
    }

    // ---- message features

    @Test
    void utf8BodyToAServerWithout8BitMimeArrivesReencodedAndReadable() throws Exception {
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send(List.of("a@" + domain("NO8BIT")), "Grüße aus Köln", "--fallback-ports", "none");
        JsonNode r = run.recipient(0);
        List<String> dumps = files(Path.of(env("DIRECTMX_FAULTS_NO8BIT_MAIL")));
        row("UTF-8 body, no 8BITMIME", "delivered, quoted-printable", t0, describe(r), () -> {
            assertThat(r.path("status").asText()).as(run.toString()).isEqualTo("delivered");
            assertThat(dumps).anySatisfy(d -> assertThat(d).contains("quoted-printable").contains("Gr=C3=BC=C3=9Fe aus K=C3=B6ln")
                    .doesNotContain("BODY=8BITMIME"));
        });
    }

    @Test
    void utf8AddressToAServerWithoutSmtpUtf8FailsClearly() throws Exception {
        outcome("UTF-8 address, no SMTPUTF8", "jörg@" + domain("NOUTF8"), "failed", "5.6.7", 69, "--fallback-ports", "none");
    }

    @Test
    void utf8AddressToAServerWithSmtpUtf8IsDelivered() throws Exception {
        delivered("UTF-8 address, SMTPUTF8", "jörg@" + domain("UTF8"), env("DIRECTMX_FAULTS_UTF8_HOST"), 25, true,
                "--fallback-ports", "none");
    }

    @Test
    void failedStartTlsHandshakeRetriesInPlaintext() throws Exception {
        long t0 = System.nanoTime();
        DirectmxJar.Run run = send("a@" + domain("BADTLS"), "--fallback-ports", "none");
        JsonNode r = run.recipient(0);
        row("STARTTLS handshake fails", "delivered in plaintext, TLS not used", t0, describe(r), () -> {
            assertThat(r.path("status").asText()).as(run.toString()).isEqualTo("delivered");
            assertThat(r.path("route").path("tls").isNull()).isTrue();
            assertThat(run.json().path("sessions").toString()).contains("retrying once without STARTTLS");
        });
    }
}
