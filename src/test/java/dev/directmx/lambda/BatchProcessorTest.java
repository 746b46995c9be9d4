package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.directmx.delivery.AddressPolicy;
import dev.directmx.delivery.Deliverer;
import dev.directmx.delivery.DeliverySettings;
import dev.directmx.delivery.RetryPolicy;
import dev.directmx.delivery.ServicePort;
import dev.directmx.dns.DestinationResolver;
import dev.directmx.dns.DnsServers;
import dev.directmx.message.MessageComposer;
import dev.directmx.message.MessageLimits;
import dev.directmx.sandbox.dns.SandboxZones;
import dev.directmx.sandbox.dns.ZoneDnsServer;
import dev.directmx.sandbox.smtp.ScriptedSmtpServer;
import dev.directmx.sandbox.smtp.SmtpStage;
import dev.directmx.smtp.OpportunisticTls;
import dev.directmx.smtp.SmtpClient;
import dev.directmx.smtp.SmtpTimeouts;
import dev.directmx.smtp.StartTls;
import dev.directmx.smtp.TlsMode;
import dev.directmx.store.MessageStatus;
import dev.directmx.store.OutcomeStore;
import dev.directmx.store.RecipientStatus;
import dev.directmx.store.SqliteOutcomeStore;
import dev.directmx.store.StoredMessage;
import dev.directmx.store.StoredRecipient;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch logic with a real store (SQLite), a real DNS server and real SMTP servers on
 * loopback, and a queue that records what it was asked.
 */
class BatchProcessorTest {

    private static final String SEED = """
            {"id": "seed-1", "from": "sender@example.com", "to": ["recipient@example.net"],
             "subject": "This is a sendable email", "text": "Hi there,\\nDid it hit the Spam folder?"}""";

    @TempDir
    Path dir;

    private ScriptedSmtpServer mx;
    private ZoneDnsServer dns;
    private OutcomeStore store;
    private final RecordingQueue queue = new RecordingQueue();
    private final RetryPolicy retry = new RetryPolicy(Duration.ofMinutes(5), RetryPolicy.SQS_MAX_DELAY, Duration.ofDays(5),
            Duration.ofHours(24));

    @AfterEach
    void stop() {
        if (mx != null) {
            mx.close();
        }
        if (dns != null) {
            dns.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private void start(ScriptedSmtpServer.Builder server) throws Exception {
        mx = server.bind(InetAddress.getByName("127.0.0.2"), 0).start();
        dns = ZoneDnsServer.start(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));
        store = SqliteOutcomeStore.open(dir.resolve("outcomes.db"));
    }

    private BatchProcessor processor(Clock clock) {
        DeliverySettings delivery = new DeliverySettings(List.of(new ServicePort(mx.port(), TlsMode.STARTTLS)), List.of(),
                new AddressPolicy(true), StartTls.WHEN_OFFERED, Duration.ofSeconds(20), Duration.ofSeconds(1));
        SmtpClient smtp = new SmtpClient(new SmtpClient.Settings("client.example.com",
                SmtpTimeouts.rfc5321().cappedAt(Duration.ofSeconds(5)), SocketFactory.getDefault(),
                OpportunisticTls.socketFactory()));
        Deliverer deliverer = new Deliverer(new DestinationResolver(DnsServers.resolver(dns.hostPort(), Duration.ofSeconds(1)),
                new Random(1)), smtp, delivery, clock);
        BatchSettings settings = new BatchSettings(retry, 8, Duration.ofSeconds(2), Duration.ofSeconds(20),
                Duration.ofDays(30), Duration.ofSeconds(30));
        return new BatchProcessor(new MessageComposer(clock, MessageLimits.defaults()), deliverer, store, queue, settings,
                clock, new Random(2), BatchObserver.NONE);
    }

    private BatchProcessor processor() {
        return processor(Clock.systemUTC());
    }

    private static SQSEvent.SQSMessage record(String id, String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(id);
        m.setReceiptHandle("handle-" + id);
        m.setBody(body);
        m.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        m.setEventSource("aws:sqs");
        return m;
    }

    private static SQSBatchResponse run(BatchProcessor processor, SQSEvent.SQSMessage... records) {
        return processor.process(List.of(records), () -> Duration.ofMinutes(5));
    }

    private static List<String> failedIds(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    private StoredRecipient recipient(String key, String address) {
        StoredMessage stored = store.find(key).orElseThrow();
        return stored.recipients().stream().filter(r -> r.address().equals(address)).findFirst().orElseThrow();
    }

    @Test
    void deliveredMessageIsRecordedAndFinished() throws Exception {
        start(ScriptedSmtpServer.builder());

        SQSBatchResponse response = run(processor(), record("m1", SEED));

        assertThat(response.getBatchItemFailures()).isEmpty();
        StoredMessage stored = store.find("seed-1").orElseThrow();
        assertThat(stored.status()).isEqualTo(MessageStatus.DONE);
        StoredRecipient r = recipient("seed-1", "recipient@example.net");
        assertThat(r.status()).isEqualTo(RecipientStatus.DELIVERED);
        assertThat(r.finalOutcome()).isTrue();
        assertThat(r.lastAttempt().code()).isEqualTo(250);
        assertThat(r.lastAttempt().route().address()).isEqualTo("127.0.0.2");
        assertThat(r.lastAttempt().route().tlsProtocol()).startsWith("TLSv1.");
        assertThat(r.deliveredAt()).isNotNull();
        assertThat(queue.visibilityChanges).isEmpty();
        assertThat(mx.received()).hasSize(1);
    }

    /**
     * The common case in store calls: the open claims the new message's recipient, so a delivery
     * at the first attempt needs no separate claim (it took four calls, open, claim, record and
     * finish; DynamoOutcomeStoreTest pins what each costs in requests).
     */
    @Test
    void aNewMessageDeliveredAtOnceTakesThreeStoreCalls() throws Exception {
        start(ScriptedSmtpServer.builder());
        List<String> calls = new CopyOnWriteArrayList<>();
        store = counting(store, calls);

        SQSBatchResponse response = run(processor(), record("m1", SEED));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(calls).containsExactly("open", "recordAttempt", "finishMessage");
        assertThat(recipient("seed-1", "recipient@example.net").status()).isEqualTo(RecipientStatus.DELIVERED);
        assertThat(mx.received()).hasSize(1);
    }

    /** {@code store} with the name of every method called on it added to {@code calls}. */
    private static OutcomeStore counting(OutcomeStore store, List<String> calls) {
        InvocationHandler handler = (proxy, method, arguments) -> {
            calls.add(method.getName());
            try {
                return method.invoke(store, arguments);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (OutcomeStore) Proxy.newProxyInstance(OutcomeStore.class.getClassLoader(),
                new Class<?>[] {OutcomeStore.class}, handler);
    }

    @Test
    void transientFailureIsDeferredWithABackoffVisibility() throws Exception {
        start(ScriptedSmtpServer.builder().rcptReply("recipient@example.net", "451 4.3.0 try later"));

        SQSBatchResponse response = run(processor(), record("m1", SEED));

        assertThat(failedIds(response)).containsExactly("m1");
        assertThat(queue.visibilityChanges).singleElement().satisfies(v -> {
            assertThat(v.receiptHandle()).isEqualTo("handle-m1");
            // First retry: 5 minutes plus up to half again.
            assertThat(v.delay()).isBetween(Duration.ofMinutes(5), Duration.ofSeconds(450));
        });
        StoredRecipient r = recipient("seed-1", "recipient@example.net");
        assertThat(r.status()).isEqualTo(RecipientStatus.DEFERRED);
        assertThat(r.finalOutcome()).isFalse();
        assertThat(store.find("seed-1").orElseThrow().status()).isEqualTo(MessageStatus.PENDING);
    }

    @Test
    void greylistingClearsOnTheFirstRetry() throws Exception {
        start(ScriptedSmtpServer.builder().greylist(Duration.ofMillis(300)));
        BatchProcessor processor = processor();

        SQSBatchResponse first = run(processor, record("m1", SEED));
        assertThat(failedIds(first)).containsExactly("m1");
        assertThat(recipient("seed-1", "recipient@example.net").lastAttempt().code()).isEqualTo(450);

        Thread.sleep(400); // the greylisting delay, scaled down from postgrey's 5 minutes
        SQSBatchResponse retry = run(processor, record("m1", SEED));

        assertThat(retry.getBatchItemFailures()).isEmpty();
        assertThat(recipient("seed-1", "recipient@example.net").status()).isEqualTo(RecipientStatus.DELIVERED);
        assertThat(recipient("seed-1", "recipient@example.net").attempts()).isEqualTo(2);
        assertThat(mx.received()).hasSize(1);
    }

    @Test
    void partiallyDeliveredMessageRetriesOnlyTheMissingRecipients() throws Exception {
        start(ScriptedSmtpServer.builder().rcptReply("bob@example.net", "452 4.2.2 mailbox full"));
        String body = """
                {"id": "two", "from": "sender@example.com", "to": ["alice@example.net", "bob@example.net"],
                 "subject": "s", "text": "t"}""";

        SQSBatchResponse first = run(processor(), record("m2", body));
        assertThat(failedIds(first)).containsExactly("m2");
        assertThat(mx.received()).singleElement().satisfies(m -> assertThat(m.recipients()).containsExactly("alice@example.net"));

        // Bob's mailbox has room again: the same MX, now accepting everyone.
        int port = mx.port();
        mx.close();
        mx = ScriptedSmtpServer.builder().bind(InetAddress.getByName("127.0.0.2"), port).start();
        SQSBatchResponse retry = run(processor(), record("m2", body));

        assertThat(retry.getBatchItemFailures()).isEmpty();
        assertThat(mx.received()).singleElement().satisfies(m -> assertThat(m.recipients()).containsExactly("bob@example.net"));
        assertThat(recipient("two", "alice@example.net").attempts()).isEqualTo(1);
        assertThat(recipient("two", "bob@example.net").attempts()).isEqualTo(2);
        assertThat(store.find("two").orElseThrow().status()).isEqualTo(MessageStatus.DONE);
    }

    @Test
    void redeliveryOfAFinishedMessageSendsNothing() throws Exception {
        start(ScriptedSmtpServer.builder());
        BatchProcessor processor = processor();

        run(processor, record("m1", SEED));
        SQSBatchResponse again = run(processor, record("m1-copy", SEED));

        assertThat(again.getBatchItemFailures()).isEmpty();
        assertThat(mx.received()).hasSize(1);
        assertThat(mx.connectionCount()).isEqualTo(1);
    }

    @Test
    void concurrentCopiesOfOneMessageDeliverOnce() throws Exception {
        start(ScriptedSmtpServer.builder().delay(SmtpStage.END_OF_DATA, Duration.ofMillis(700)));
        BatchProcessor processor = processor();

        // Two invocations at once, as when SQS hands the same message to two pollers.
        List<String> failed = new java.util.ArrayList<>();
        try (ExecutorService invocations = Executors.newFixedThreadPool(2)) {
            CountDownLatch go = new CountDownLatch(1);
            Future<SQSBatchResponse> a = invocations.submit(() -> {
                go.await();
                return run(processor, record("copy-a", SEED));
            });
            Future<SQSBatchResponse> b = invocations.submit(() -> {
                go.await();
                return run(processor, record("copy-b", SEED));
            });
            go.countDown();
            failed.addAll(failedIds(a.get()));
            failed.addAll(failedIds(b.get()));
        }

        assertThat(mx.received()).hasSize(1);
        // The copy that lost the claim comes back shortly, to find the recipient delivered.
        assertThat(failed).hasSize(1);
        assertThat(queue.visibilityChanges).singleElement().satisfies(v -> assertThat(v.delay()).isEqualTo(Duration.ofSeconds(30)));
        SQSBatchResponse later = run(processor, record(failed.get(0), SEED));
        assertThat(later.getBatchItemFailures()).isEmpty();
        assertThat(mx.received()).hasSize(1);
    }

    @Test
    void invalidBodyGoesWholeToTheDeadLetterQueueAndIsRecordedAsRejected() throws Exception {
        start(ScriptedSmtpServer.builder());
        String bad = "{\"from\": \"sender@example.com\", \"to\": [\"because@i-can@example.com\"], \"subject\": \"s\", \"text\": \"t\"}";

        SQSBatchResponse response = run(processor(), record("bad-1", bad), record("bad-2", "not json at all"));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(queue.deadLetters).extracting(RecordingQueue.DeadLetter::body).containsExactlyInAnyOrder(bad, "not json at all");
        assertThat(queue.deadLetters).filteredOn(d -> d.sourceMessageId().equals("bad-1")).singleElement()
                .satisfies(d -> assertThat(d.error()).contains("to[0]").contains("because@i-can@example.com"));
        StoredMessage rejected = store.find("rejected:bad-1").orElseThrow();
        assertThat(rejected.status()).isEqualTo(MessageStatus.REJECTED);
        assertThat(rejected.error()).contains("to[0]");
        assertThat(mx.connectionCount()).isZero();
    }

    @Test
    void tooLittleTimeLeftRequeuesWithoutSending() throws Exception {
        start(ScriptedSmtpServer.builder());

        SQSBatchResponse response = processor().process(List.of(record("m1", SEED)), () -> Duration.ofSeconds(3));

        assertThat(failedIds(response)).containsExactly("m1");
        assertThat(queue.visibilityChanges).singleElement().satisfies(v -> assertThat(v.delay()).isEqualTo(Duration.ofSeconds(30)));
        assertThat(mx.connectionCount()).isZero();
    }

    @Test
    void permanentErrorIsRetriedWithinTheWindowThenFinal() throws Exception {
        start(ScriptedSmtpServer.builder().rcptReply("recipient@example.net", "552 5.2.2 mailbox full"));
        Instant t0 = Instant.now();

        SQSBatchResponse first = run(processor(Clock.fixed(t0, ZoneOffset.UTC)), record("m1", SEED));
        assertThat(failedIds(first)).containsExactly("m1");
        assertThat(recipient("seed-1", "recipient@example.net").finalOutcome()).isFalse();

        SQSBatchResponse dayLater = run(processor(Clock.fixed(t0.plus(Duration.ofHours(25)), ZoneOffset.UTC)), record("m1", SEED));
        assertThat(dayLater.getBatchItemFailures()).isEmpty();
        StoredRecipient r = recipient("seed-1", "recipient@example.net");
        assertThat(r.status()).isEqualTo(RecipientStatus.FAILED);
        assertThat(r.finalOutcome()).isTrue();
        assertThat(r.firstFailedAt()).isEqualTo(t0);
    }

    @Test
    void messagePastItsMaximumAgeFailsForGoodWithoutSending() throws Exception {
        start(ScriptedSmtpServer.builder().rcptReply("recipient@example.net", "451 4.3.0 try later"));
        Instant t0 = Instant.now();
        run(processor(Clock.fixed(t0, ZoneOffset.UTC)), record("m1", SEED));
        int connections = mx.connectionCount();

        SQSBatchResponse late = run(processor(Clock.fixed(t0.plus(Duration.ofDays(6)), ZoneOffset.UTC)), record("m1", SEED));

        assertThat(late.getBatchItemFailures()).isEmpty();
        StoredRecipient r = recipient("seed-1", "recipient@example.net");
        assertThat(r.status()).isEqualTo(RecipientStatus.FAILED);
        assertThat(r.lastAttempt().enhancedCode()).isEqualTo("5.4.7");
        assertThat(r.lastAttempt().text()).contains("expired").contains("451");
        assertThat(mx.connectionCount()).isEqualTo(connections);
    }
}
