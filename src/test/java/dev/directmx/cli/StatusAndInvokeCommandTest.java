package dev.directmx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.directmx.store.Attempt;
import dev.directmx.store.MessageStatus;
import dev.directmx.store.NewMessage;
import dev.directmx.store.RecipientStatus;
import dev.directmx.store.SqliteOutcomeStore;
import dev.directmx.store.StoredRoute;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code status} and {@code invoke} as a user runs them, on the embedded store. */
class StatusAndInvokeCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        return cli.execute(args);
    }

    private Path storeWithOneDelivery() {
        Path file = dir.resolve("outcomes.db");
        Instant t = Instant.parse("2026-11-30T10:00:00Z");
        try (SqliteOutcomeStore store = SqliteOutcomeStore.open(file)) {
            store.open(new NewMessage("seed-1", "<abc@example.com>", "sender@example.com", "This is a sendable email",
                    List.of("recipient@example.net"), t.plusSeconds(86400)), t);
            store.claim("seed-1", "recipient@example.net", "me", t.plusSeconds(60), t);
            store.recordAttempt("seed-1", "recipient@example.net", "me", new Attempt(RecipientStatus.DEFERRED, false, 450,
                    "4.2.0", "Greylisted", "RCPT", new StoredRoute("mx.example.net", "192.0.2.1", 25, "TLSv1.3",
                    "TLS_AES_256_GCM_SHA384"), t));
            store.claim("seed-1", "recipient@example.net", "me", t.plusSeconds(700), t.plusSeconds(600));
            store.recordAttempt("seed-1", "recipient@example.net", "me", new Attempt(RecipientStatus.DELIVERED, true, 250,
                    "2.0.0", "OK queued", "end of data", new StoredRoute("mx.example.net", "192.0.2.1", 25, "TLSv1.3",
                    "TLS_AES_256_GCM_SHA384"), t.plusSeconds(600)));
            store.finishMessage("seed-1", MessageStatus.DONE, t.plusSeconds(600));
        }
        return file;
    }

    @Test
    void statusShowsEachRecipientWithItsHistory() {
        Path file = storeWithOneDelivery();

        int status = run("status", "--store-file", file.toString(), "seed-1");

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status).isZero();
        assertThat(printed).contains("# message seed-1 <abc@example.com> from sender@example.com")
                .contains("recipient@example.net  DELIVERED  250 2.0.0 OK queued  via mx.example.net [192.0.2.1]:25 TLSv1.3")
                .contains("(2 attempts, delivered 2026-11-30T10:10:00Z)")
                .contains("deferred  450 4.2.0 Greylisted");
    }

    @Test
    void statusJsonCarriesTheStoredFields() throws Exception {
        Path file = storeWithOneDelivery();

        run("status", "--json", "--store-file", file.toString(), "seed-1");

        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(json.path("status").asText()).isEqualTo("done");
        JsonNode r = json.path("recipients").path(0);
        assertThat(r.path("status").asText()).isEqualTo("delivered");
        assertThat(r.path("lastAttempt").path("route").path("tls").path("protocol").asText()).isEqualTo("TLSv1.3");
        assertThat(r.path("history")).hasSize(2);
    }

    @Test
    void statusOfAnUnknownKeyExits66AndSaysWhatTheKeyIs() {
        int status = run("status", "--store-file", storeWithOneDelivery().toString(), "nope");

        assertThat(status).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'nope'").contains("Message-ID");
    }

    @Test
    void statusWithoutAStoreNamesBothWaysToGiveOne() {
        int status = run("status", "--table", "", "x");

        assertThat(status).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--table").contains("--store-file");
    }

    @Test
    void invokeRejectsAFileThatIsNotAnSqsEvent() throws Exception {
        Path notAnEvent = java.nio.file.Files.writeString(dir.resolve("e.json"), "{\"hello\": 1}");

        int status = run("invoke", notAnEvent.toString(), "--queue-url", "q", "--dead-letter-queue-url", "d",
                "--helo", "client.example.com", "--store-file", dir.resolve("s.db").toString());

        assertThat(status).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Records");
    }

    @Test
    void invokeNamesMissingConfiguration() {
        int status = run("invoke", "events/seed.json", "--store-file", dir.resolve("s.db").toString(), "--queue-url", "");

        assertThat(status).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("DIRECTMX_QUEUE_URL");
    }

    @Test
    void workerRefusesABatchBudgetThatLeavesNoTimeToDeliver() {
        int status = run("worker", "--batch-budget", "10s", "--queue-url", "q", "--dead-letter-queue-url", "d",
                "--helo", "client.example.com", "--store-file", dir.resolve("s.db").toString());

        assertThat(status).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--batch-budget").contains("DIRECTMX_TIME_RESERVE");
    }
}
