package dev.directmx.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.directmx.lambda.BatchObserver;
import dev.directmx.lambda.BatchProcessor;
import dev.directmx.lambda.DeliveryComponents;
import dev.directmx.lambda.DirectmxConfig;
import dev.directmx.lambda.SqsDeliveryHandler;
import dev.directmx.lambda.SqsQueueActions;
import dev.directmx.lambda.SqsWorker;
import dev.directmx.sandbox.sqs.EmbeddedSqs;
import dev.directmx.store.Attempt;
import dev.directmx.store.OutcomeStore;
import dev.directmx.store.SqliteOutcomeStore;
import dev.directmx.store.StoredMessage;
import dev.directmx.store.StoredRecipient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Lambda path against the real peers: the handler's batch logic polled from ElasticMQ by
 * the worker, as in production minus AWS, delivering to Postfix with postgrey, OpenSMTPD, Exim
 * and smtp-sink. These are the scenarios where the retry through the queue is the point.
 */
class LambdaInteropIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A queue, a store, the batch logic wired from DIRECTMX_* settings, and a worker polling. */
    private static final class Pipeline implements AutoCloseable {
        final EmbeddedSqs sqs = EmbeddedSqs.start();
        final OutcomeStore store = SqliteOutcomeStore.inMemory();
        final StringWriter progress = new StringWriter();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread polling;

        Pipeline(Map<String, String> overrides) {
            Map<String, String> env = new HashMap<>(Map.of(
                    DirectmxConfig.QUEUE_URL, sqs.queueUrl(),
                    DirectmxConfig.DEAD_LETTER_QUEUE_URL, sqs.deadLetterQueueUrl(),
                    DirectmxConfig.HELO, "client.example.com",
                    DirectmxConfig.DNS, InteropSuiteIT.env("DIRECTMX_IT_DNS"),
                    DirectmxConfig.FALLBACK_PORTS, "none",
                    DirectmxConfig.ALLOW_PRIVATE, "true",
                    DirectmxConfig.TIME_RESERVE, "2s"));
            env.putAll(overrides);
            DirectmxConfig config = DirectmxConfig.from(env, List.of());
            BatchProcessor processor = DeliveryComponents.processor(config, store,
                    new SqsQueueActions(sqs.client(), sqs.queueUrl(), sqs.deadLetterQueueUrl()), BatchObserver.NONE);
            // The handler itself, so the Lambda entry point is on the path.
            SqsDeliveryHandler handler = new SqsDeliveryHandler(processor);
            SqsWorker worker = new SqsWorker(sqs.client(), sqs.queueUrl(),
                    (records, remaining) -> handler.handleRequest(event(records), context(remaining)),
                    new SqsWorker.Settings(Duration.ofSeconds(1), 10, Duration.ofMinutes(1)),
                    new PrintWriter(progress, true), Clock.systemUTC());
            polling = Thread.ofVirtual().start(() -> worker.run(stop));
        }

        void enqueue(String body) {
            sqs.client().sendMessage(b -> b.queueUrl(sqs.queueUrl()).messageBody(body));
        }

        StoredMessage await(String key, Predicate<StoredMessage> done, Duration patience) throws InterruptedException {
            long giveUp = System.nanoTime() + patience.toNanos();
            Optional<StoredMessage> stored = store.find(key);
            while (System.nanoTime() < giveUp && !stored.map(done::test).orElse(false)) {
                Thread.sleep(200);
                stored = store.find(key);
            }
            assertThat(stored).as("stored outcome of " + key + "; worker said:\n" + progress).isPresent();
            assertThat(done.test(stored.get())).as("outcome of " + key + " reached in time: " + stored.get()
                    + "\nworker said:\n" + progress).isTrue();
            return stored.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            polling.join(Duration.ofSeconds(10));
            store.close();
            sqs.close();
        }
    }

    private static com.amazonaws.services.lambda.runtime.events.SQSEvent event(
            List<com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage> records) {
        var event = new com.amazonaws.services.lambda.runtime.events.SQSEvent();
        event.setRecords(records);
        return event;
    }

    private static com.amazonaws.services.lambda.runtime.Context context(java.util.function.Supplier<Duration> remaining) {
        return (com.amazonaws.services.lambda.runtime.Context) java.lang.reflect.Proxy.newProxyInstance(
                LambdaInteropIT.class.getClassLoader(), new Class<?>[] {com.amazonaws.services.lambda.runtime.Context.class},
                (proxy, method, args) -> method.getName().equals("getRemainingTimeInMillis")
                        ? (int) remaining.get().toMillis() : null);
    }

    private static String body(String id, List<String> to) {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", id);
        m.put("from", "sender@example.com");
        m.putPOJO("to", to);
        m.put("subject", "This is a sendable email");
        m.put("text", "Hi there,\nDid it hit the Spam folder?");
        return m.toString();
    }

    private static StoredRecipient recipient(StoredMessage m, String address) {
        return m.recipients().stream().filter(r -> r.address().equals(address)).findFirst().orElseThrow();
    }

    /**
     * Whether the message reaches the mailbox within ten seconds. A server's 250 after the data
     * means "queued": its local delivery to the mailbox runs after the reply, so the file may
     * appear a moment after directmx has recorded the outcome.
     */
    private static boolean mailboxHas(Path dir, String messageId) throws IOException {
        long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!mailboxHasNow(dir, messageId)) {
            if (System.nanoTime() > giveUp) {
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return mailboxHasNow(dir, messageId);
            }
        }
        return true;
    }

    private static boolean mailboxHasNow(Path dir, String messageId) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).anyMatch(f -> {
                try {
                    return Files.readString(f).contains(messageId);
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    @Test
    void postgreyDefersFirstAndTheRetryThroughTheQueueDelivers() throws Exception {
        int delay = Integer.parseInt(InteropSuiteIT.env("DIRECTMX_FAULTS_GREYLIST_DELAY"));
        String key = "grey-" + UUID.randomUUID();
        // A fresh recipient: postgrey remembers every (client, sender, recipient) that passed.
        String to = key + "@" + InteropSuiteIT.domain("GREYLIST");
        long t0 = System.nanoTime();
        try (Pipeline pipeline = new Pipeline(Map.of(DirectmxConfig.BACKOFF_MIN, (delay + 1) + "s"))) {
            pipeline.enqueue(body(key, List.of(to)));
            StoredMessage done = pipeline.await(key, m -> m.status().name().equals("DONE"), Duration.ofSeconds(60));

            StoredRecipient r = recipient(done, to);
            List<Attempt> history = r.history();
            String actual = history.stream().map(a -> a.code() + "@" + a.at()).toList().toString();
            InteropSuiteITRow.add("postgrey via the queue", "450, then 250 after the visibility delay", t0, actual, () -> {
                assertThat(history).extracting(Attempt::code).containsExactly(450, 250);
                assertThat(Duration.between(history.get(0).at(), history.get(1).at()))
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(delay + 1));
                assertThat(r.status().name()).isEqualTo("DELIVERED");
                assertThat(r.lastAttempt().route().address()).isEqualTo(InteropSuiteIT.env("DIRECTMX_FAULTS_GREYLIST_HOST"));
            });
            assertThat(mailboxHas(Path.of(InteropSuiteIT.env("DIRECTMX_FAULTS_GREYLIST_MAIL")), done.messageId())).isTrue();
        }
    }

    @Test
    void oneRecordToThreeDomainsReachesPostfixOpenSmtpdAndExim() throws Exception {
        String key = "three-" + UUID.randomUUID();
        List<String> to = List.of("recipient@example.net", "recipient@opensmtpd.example", "recipient@exim.example");
        long t0 = System.nanoTime();
        try (Pipeline pipeline = new Pipeline(Map.of())) {
            pipeline.enqueue(body(key, to));
            StoredMessage done = pipeline.await(key, m -> m.status().name().equals("DONE"), Duration.ofSeconds(60));

            String actual = done.recipients().stream().map(r -> r.address() + "=" + r.status().wire()).toList().toString();
            InteropSuiteITRow.add("one record, three domains, three MTAs", "delivered to all three", t0, actual, () -> {
                assertThat(done.recipients()).allSatisfy(r -> {
                    assertThat(r.status().name()).isEqualTo("DELIVERED");
                    assertThat(r.lastAttempt().route().tlsProtocol()).startsWith("TLS");
                });
                try {
                    assertThat(mailboxHas(Path.of(InteropSuiteIT.env("DIRECTMX_IT_POSTFIX_MAILBOX")), done.messageId())).isTrue();
                    assertThat(mailboxHas(Path.of(InteropSuiteIT.env("DIRECTMX_IT_OPENSMTPD_MAIL")), done.messageId())).isTrue();
                    assertThat(mailboxHas(Path.of(InteropSuiteIT.env("DIRECTMX_IT_EXIM_MAIL")), done.messageId())).isTrue();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @Test
    void mailboxFull452IsDeferredAndRetriedThroughTheQueue() throws Exception {
        String key = "full-" + UUID.randomUUID();
        String to = "a@" + InteropSuiteIT.domain("FULL");
        long t0 = System.nanoTime();
        try (Pipeline pipeline = new Pipeline(Map.of(DirectmxConfig.BACKOFF_MIN, "1s"))) {
            pipeline.enqueue(body(key, List.of(to)));
            StoredMessage m = pipeline.await(key, s -> recipient(s, to).attempts() >= 2, Duration.ofSeconds(60));

            StoredRecipient r = recipient(m, to);
            InteropSuiteITRow.add("452 via the queue", "deferred, retried, still open", t0,
                    r.status().wire() + " after " + r.attempts() + " attempts", () -> {
                        assertThat(r.status().name()).isEqualTo("DEFERRED");
                        assertThat(r.finalOutcome()).isFalse();
                        assertThat(r.history()).extracting(Attempt::code).startsWith(452, 452);
                    });
        }
    }

    @Test
    void userUnknown550IsRetriedWithinTheWindowThenFinal() throws Exception {
        String key = "unknown-" + UUID.randomUUID();
        String to = "a@" + InteropSuiteIT.domain("UNKNOWN");
        long t0 = System.nanoTime();
        try (Pipeline pipeline = new Pipeline(Map.of(DirectmxConfig.BACKOFF_MIN, "2s",
                DirectmxConfig.PERMANENT_RETRY_WINDOW, "3s"))) {
            pipeline.enqueue(body(key, List.of(to)));
            StoredMessage done = pipeline.await(key, s -> s.status().name().equals("DONE"), Duration.ofSeconds(60));

            StoredRecipient r = recipient(done, to);
            InteropSuiteITRow.add("550 via the queue, 3 s window", "failed, retried, then final", t0,
                    r.status().wire() + (r.finalOutcome() ? " final" : "") + " after " + r.attempts() + " attempts", () -> {
                        assertThat(r.status().name()).isEqualTo("FAILED");
                        assertThat(r.finalOutcome()).isTrue();
                        assertThat(r.attempts()).isGreaterThanOrEqualTo(2);
                        assertThat(r.history().get(0).finalOutcome()).isFalse();
                        assertThat(r.lastAttempt().enhancedCode()).isEqualTo("5.1.1");
                    });
        }
    }

    @Test
    void connectionDroppedInDataIsRetriedAndDeliveredExactlyOnce() throws Exception {
        String key = "drop-" + UUID.randomUUID();
        // A fresh recipient: the server drops DATA only the first time it sees one.
        String to = key + "@" + InteropSuiteIT.domain("DROPONCE");
        Path mail = Path.of(InteropSuiteIT.env("DIRECTMX_FAULTS_DROPONCE_MAIL"));
        long t0 = System.nanoTime();
        try (Pipeline pipeline = new Pipeline(Map.of(DirectmxConfig.BACKOFF_MIN, "1s"))) {
            pipeline.enqueue(body(key, List.of(to)));
            StoredMessage done = pipeline.await(key, m -> m.status().name().equals("DONE"), Duration.ofSeconds(60));

            StoredRecipient r = recipient(done, to);
            long copies;
            try (Stream<Path> files = Files.list(mail)) {
                copies = files.filter(f -> {
                    try {
                        return Files.readString(f).contains(done.messageId());
                    } catch (IOException e) {
                        return false;
                    }
                }).count();
            }
            long arrived = copies;
            InteropSuiteITRow.add("dropped in DATA, then retried", "deferred, then delivered once", t0,
                    r.history().stream().map(a -> a.status().wire()).toList() + ", " + arrived + " copy", () -> {
                        assertThat(r.history()).extracting(a -> a.status().wire()).containsExactly("deferred", "delivered");
                        assertThat(r.history().get(0).text()).contains("closed");
                        assertThat(arrived).isEqualTo(1);
                    });
        }
    }
}
