package dev.directmx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.directmx.sandbox.sqs.EmbeddedSqs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.sqs.model.Message;

/** {@code directmx enqueue} against ElasticMQ: what is refused, what is sent, and that the body is untouched. */
class EnqueueCommandTest {

    @TempDir
    Path dir;

    private EmbeddedSqs sqs;
    private final List<Optional<URI>> endpointsAsked = new ArrayList<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() {
        sqs = EmbeddedSqs.start();
    }

    @AfterEach
    void stop() {
        sqs.close();
    }

    @Test
    void validMessageArrivesWithItsBodyUnchanged() throws Exception {
        // Odd spacing, CRLF, a non-ASCII subject and escapes: none of it may be normalised away.
        String body = "{ \"from\": \"sender@example.com\",\r\n  \"to\" : \"recipient@example.net\",\n"
                + "\t\"subject\": \"Grüße \\u2709\", \"text\": \"Hi there,\\nDid it hit the Spam folder?\" }\n";

        int status = enqueue(file("message.json", body));

        assertThat(status).as(err.toString()).isZero();
        Message received = receiveAll().get(0);
        assertThat(received.body()).isEqualTo(body);
        assertThat(out.toString().lines().toList()).containsExactly(
                "SQS-Message-Id: " + received.messageId(),
                "Message-ID: " + messageIdLine());
        assertThat(messageIdLine()).matches("<[a-z2-7]{26}@example\\.com>");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void invalidAddressIsRefusedWithStatus65AndNothingIsSent() throws Exception {
        Path message = file("bad.json", "{\"from\": \"sender@example.com\", \"to\": [\"because@i-can@example.com\"],"
                + " \"subject\": \"s\", \"text\": \"t\"}");

        int status = enqueue(message);

        assertThat(status).isEqualTo(65);
        assertThat(err.toString()).startsWith("directmx enqueue: invalid message: to[0]: ")
                .contains("because@i-can@example.com");
        assertThat(out.toString()).isEmpty();
        assertThat(endpointsAsked).as("no client was even opened").isEmpty();
        assertThat(receiveAll()).isEmpty();
    }

    @Test
    void unreadableFileIsAUsageErrorNamingThePath() {
        Path missing = dir.resolve("no-such-message.json");

        int status = enqueue(missing);

        assertThat(status).isEqualTo(64);
        assertThat(err.toString()).isEqualTo("directmx enqueue: " + missing + ": cannot read it (no such file)\n");
        assertThat(receiveAll()).isEmpty();
    }

    @Test
    void fileThatIsNotUtf8IsAUsageError() throws Exception {
        Path latin1 = Files.write(dir.resolve("latin1.json"), new byte[] {'{', '"', (byte) 0xe9, '"', '}'});

        int status = enqueue(latin1);

        assertThat(status).isEqualTo(64);
        assertThat(err.toString()).isEqualTo("directmx enqueue: " + latin1 + ": cannot read it (not UTF-8)\n");
    }

    @Test
    void missingQueueUrlIsAUsageError() throws Exception {
        Path message = file("m.json", "{}");

        int status = command().execute(message.toString());

        assertThat(status).isEqualTo(64);
        assertThat(err.toString()).contains("--queue-url");
    }

    @Test
    void endpointOptionReachesTheClient() throws Exception {
        Path message = file("m.json", "{\"from\": \"a@example.com\", \"to\": \"b@example.net\", \"subject\": \"\","
                + " \"text\": \"x\"}");

        int status = command().execute("--queue-url", sqs.queueUrl(), "--endpoint", "http://127.0.0.1:9324",
                message.toString());

        assertThat(status).as(err.toString()).isZero();
        assertThat(endpointsAsked).containsExactly(Optional.of(URI.create("http://127.0.0.1:9324")));
    }

    @Test
    void delayIsWholeSecondsUpToFifteenMinutes() {
        assertThat(EnqueueCommand.delaySeconds("0s")).isZero();
        assertThat(EnqueueCommand.delaySeconds("0")).isZero();
        assertThat(EnqueueCommand.delaySeconds("90s")).isEqualTo(90);
        assertThat(EnqueueCommand.delaySeconds("1500ms")).isEqualTo(2);
        assertThat(EnqueueCommand.delaySeconds("15m")).isEqualTo(900);
        assertThatThrownBy(() -> EnqueueCommand.delaySeconds("16m")).hasMessageStartingWith("--delay: '16m'");
        assertThatThrownBy(() -> EnqueueCommand.delaySeconds("soon")).hasMessageStartingWith("--delay: 'soon'");
    }

    @Test
    void delayedMessageIsNotVisibleAtOnce() throws Exception {
        Path message = file("m.json", "{\"from\": \"a@example.com\", \"to\": \"b@example.net\", \"subject\": \"\","
                + " \"text\": \"x\"}");

        int status = enqueue(message, "--delay", "5m");

        assertThat(status).as(err.toString()).isZero();
        assertThat(receiveAll()).isEmpty();
    }

    private int enqueue(Path message, String... more) {
        List<String> args = new ArrayList<>(List.of("--queue-url", sqs.queueUrl(), message.toString()));
        args.addAll(List.of(more));
        return command().execute(args.toArray(String[]::new));
    }

    private CommandLine command() {
        CommandLine cli = new CommandLine(new EnqueueCommand(endpoint -> {
            endpointsAsked.add(endpoint);
            return EmbeddedSqs.clientFor(sqs.endpoint());
        }));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli;
    }

    private String messageIdLine() {
        return out.toString().lines().filter(l -> l.startsWith("Message-ID: ")).findFirst().orElseThrow()
                .substring("Message-ID: ".length());
    }

    private Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private List<Message> receiveAll() {
        return sqs.client().receiveMessage(b -> b.queueUrl(sqs.queueUrl()).maxNumberOfMessages(10).waitTimeSeconds(0))
                .messages();
    }
}
