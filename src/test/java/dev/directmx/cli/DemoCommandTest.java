package dev.directmx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

    @Test
    void demoDeliversTheSeedMessageThroughTheQueueAfterGreylisting() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));

        int status = cli.execute("demo");

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status).isZero();
        assertThat(printed).contains("mx1.example.net [127.0.0.2]").contains("Connection refused");
        assertThat(printed).contains("TLS established: TLSv1.");
        assertThat(printed).contains("recipient@example.net  DEFERRED  450 4.2.0").contains("Greylisted");
        assertThat(printed).contains("goes back on the queue, invisible for");
        assertThat(printed).contains("# ======== delivery run 2").contains("recipient@example.net  DELIVERED");
        assertThat(printed).contains("# ---- the stored outcome").contains("(2 attempts, delivered");
        assertThat(printed).contains("Subject: This is a sendable email").contains("Did it hit the Spam folder?");
        assertThat(printed).contains("# DKIM: signed d=example.com s=demo a=ed25519-sha256")
                .contains("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.com;\n\ts=demo;");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("demo: enqueued").contains("worker: batch of 1");
    }
}
