package dev.directmx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.directmx.sandbox.dns.SandboxZones;
import dev.directmx.sandbox.dns.ZoneDnsServer;
import dev.directmx.sandbox.smtp.ScriptedSmtpServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code directmx send} end to end in the JVM: options, output and exit status. */
class SendCommandTest {

    private ScriptedSmtpServer mx;
    private ZoneDnsServer dns;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        mx = ScriptedSmtpServer.builder().bind(java.net.InetAddress.getByName("127.0.0.2"), 0)
                .rcptReply("unknown@example.net", "550 5.1.1 user unknown")
                .rcptReply("busy@example.net", "450 4.2.0 greylisted, come back later")
                .start();
        dns = ZoneDnsServer.start(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2")
                .nullMx("nullmx.example"));
    }

    @AfterEach
    void stop() {
        mx.close();
        dns.close();
    }

    private int send(String... args) {
        String[] base = {"send", "--dns", dns.hostPort(), "--ports", String.valueOf(mx.port()), "--fallback-ports", "none",
            "--allow-private", "--deadline", "20s"};
        String[] all = new String[base.length + args.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(args, 0, all, base.length, args.length);
        return run(all);
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        return cli.execute(args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void deliveredMessageExitsZeroAndPrintsTheAnnotatedConversation() {
        int status = send("--from", "sender@example.com", "--to", "recipient@example.net", "--subject", "This is a sendable email",
                "--text", "Hi there,\nDid it hit the Spam folder?");

        assertThat(status).isZero();
        assertThat(stdout()).contains("# introduce ourselves").contains("STARTTLS").contains("MAIL FROM:<sender@example.com>")
                .contains("recipient@example.net  DELIVERED  250");
        assertThat(mx.received()).hasSize(1);
    }

    @Test
    void jsonOutputHasAResultPerRecipient() throws Exception {
        int status = send("--json", "--from", "sender@example.com", "--to", "recipient@example.net", "--to",
                "unknown@example.net", "--subject", "s", "--text", "t");

        JsonNode json = new ObjectMapper().readTree(stdout());
        assertThat(status).isEqualTo(ExitCodes.FAILED);
        assertThat(json.path("messageId").asText()).startsWith("<").endsWith("@example.com>");
        JsonNode first = json.path("recipients").path(0);
        assertThat(first.path("status").asText()).isEqualTo("delivered");
        assertThat(first.path("route").path("address").asText()).isEqualTo("127.0.0.2");
        assertThat(first.path("route").path("tls").path("protocol").asText()).startsWith("TLSv1.");
        JsonNode second = json.path("recipients").path(1);
        assertThat(second.path("status").asText()).isEqualTo("failed");
        assertThat(second.path("retryable").asBoolean()).isTrue();
        assertThat(second.path("reply").path("code").asInt()).isEqualTo(550);
        assertThat(second.path("reply").path("enhancedCode").asText()).isEqualTo("5.1.1");
        assertThat(second.path("reply").path("command").asText()).isEqualTo("RCPT");
        assertThat(json.path("sessions").path(0).path("transcript").toString()).contains("C: STARTTLS");
    }

    @Test
    void deferredRecipientExits75() {
        int status = send("--from", "sender@example.com", "--to", "busy@example.net", "--to", "unknown@example.net",
                "--subject", "s", "--text", "t");

        assertThat(status).isEqualTo(ExitCodes.DEFERRED);
        assertThat(stdout()).contains("busy@example.net  DEFERRED  450 4.2.0");
    }

    @Test
    void nullMxExits69WithAFinalFailure() {
        int status = send("--from", "sender@example.com", "--to", "a@nullmx.example", "--subject", "s", "--text", "t");

        assertThat(status).isEqualTo(ExitCodes.FAILED);
        assertThat(stdout()).contains("FAILED (final)").contains("5.1.10");
    }

    @Test
    void invalidAddressExits65NamingIt() {
        int status = send("--from", "sender@example.com", "--to", "because@i-can@example.com", "--subject", "s", "--text", "t");

        assertThat(status).isEqualTo(ExitCodes.INVALID_MESSAGE);
        assertThat(stderr()).contains("because@i-can@example.com").contains("to[0]");
        assertThat(mx.connectionCount()).isZero();
    }

    @Test
    void headerInjectionExits65() {
        int status = send("--from", "sender@example.com", "--to", "recipient@example.net", "--subject",
                "hi\r\nBcc: victim@example.org", "--text", "t");

        assertThat(status).isEqualTo(ExitCodes.INVALID_MESSAGE);
        assertThat(stderr()).contains("subject");
    }

    @Test
    void missingRecipientIsAUsageError() {
        int status = send("--from", "sender@example.com", "--subject", "s", "--text", "t");

        assertThat(status).isEqualTo(ExitCodes.USAGE);
        assertThat(stderr()).contains("--to");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(run("send", "--frm", "x")).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void badDeadlineNamesTheOption() {
        int status = run("send", "--deadline", "soon", "--from", "sender@example.com", "--to", "recipient@example.net",
                "--subject", "s", "--text", "t");

        assertThat(status).isEqualTo(ExitCodes.USAGE);
        assertThat(stderr()).contains("--deadline").contains("'soon'");
    }

    @Test
    void messageFileSuppliesTheMessageAndOptionsOverrideIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.json");
        Files.writeString(file, """
                {"from": "sender@example.com", "to": ["nobody@example.net"], "subject": "from file",
                 "text": "Hi there,\\nDid it hit the Spam folder?", "headers": {"X-Campaign": "seed"}}
                """);

        int status = send("--message", file.toString(), "--to", "recipient@example.net");

        assertThat(status).isZero();
        String data = mx.received().get(0).text();
        assertThat(data).contains("Subject: from file").contains("To: recipient@example.net").contains("X-Campaign: seed");
    }

    @Test
    void everyCommandHasHelp() {
        assertThat(run("--help")).isZero();
        assertThat(run("send", "--help")).isZero();
        assertThat(run("demo", "--help")).isZero();
        assertThat(stdout()).contains("--fallback-ports").contains("--allow-private").contains("Exit status");
    }

    @Test
    void dkimKeyOptionSignsTheMessageAndTheJsonSaysWithWhat(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path key = dir.resolve("ed.pem");
        java.nio.file.Files.writeString(key, dev.directmx.dkim.PrivateKeys.toPem(dev.directmx.dkim.PrivateKeys.generate(
                dev.directmx.dkim.DkimAlgorithm.ED25519_SHA256).getPrivate()));

        int status = send("--json", "--from", "sender@example.com", "--to", "recipient@example.net", "--subject", "s",
                "--text", "t", "--dkim-key", "example.com/ed2026=file:" + key, "--dkim-expiry", "7d");

        assertThat(status).isZero();
        JsonNode dkim = new ObjectMapper().readTree(stdout()).path("dkim");
        assertThat(dkim.path("signed").asBoolean()).isTrue();
        assertThat(dkim.path("signatures").path(0).path("selector").asText()).isEqualTo("ed2026");
        assertThat(dkim.path("signatures").path(0).path("algorithm").asText()).isEqualTo("ed25519-sha256");
        assertThat(mx.received().get(0).text()).startsWith("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;")
                .contains(" d=example.com;").contains(" x=");
    }

    @Test
    void unsignedMessageSaysSoInTheAnnotatedLog() {
        int status = send("--from", "sender@example.com", "--to", "recipient@example.net", "--subject", "s", "--text", "t");

        assertThat(status).isZero();
        assertThat(stdout()).contains("# DKIM: unsigned: DKIM signing is not configured (no keys)");
        assertThat(mx.received().get(0).text()).doesNotContain("DKIM-Signature");
    }

    @Test
    void missingDkimKeyFileExits64NamingTheKeyAndSendsNothing() {
        int status = send("--from", "sender@example.com", "--to", "recipient@example.net", "--subject", "s", "--text", "t",
                "--dkim-key", "example.com/rsa2026=file:/nonexistent/rsa.pem");

        assertThat(status).isEqualTo(ExitCodes.USAGE);
        assertThat(stderr()).contains("the DKIM key example.com/rsa2026: file:/nonexistent/rsa.pem: no such file");
        assertThat(mx.received()).isEmpty();
    }

    @Test
    void badCanonicalizationIsAUsageErrorNamingTheSetting() {
        int status = send("--from", "sender@example.com", "--to", "recipient@example.net", "--subject", "s", "--text", "t",
                "--dkim-canonicalization", "loose/relaxed");

        assertThat(status).isEqualTo(ExitCodes.USAGE);
        assertThat(stderr()).contains("DIRECTMX_DKIM_CANONICALIZATION: 'loose' is not simple or relaxed");
        assertThat(mx.received()).isEmpty();
    }
}
