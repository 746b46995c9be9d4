package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.directmx.sandbox.smtp.ReceivedMessage;
import dev.directmx.sandbox.smtp.ScriptedSmtpServer;
import dev.directmx.sandbox.smtp.SmtpStage;
import dev.directmx.sandbox.sqs.EmbeddedSqs;
import dev.directmx.smtp.OpportunisticTls;
import dev.directmx.smtp.SmtpClient;
import dev.directmx.smtp.SmtpTimeouts;
import dev.directmx.smtp.StartTls;
import dev.directmx.smtp.TlsMode;
import dev.directmx.store.Attempt;
import dev.directmx.store.Dynalite;
import dev.directmx.store.DynamoOutcomeStore;
import dev.directmx.store.MessageStatus;
import dev.directmx.store.OutcomeStore;
import dev.directmx.store.RecipientStatus;
import dev.directmx.store.StoredMessage;
import dev.directmx.store.StoredRecipient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The whole path a message takes outside Lambda, with nothing faked: a real SQS API (ElasticMQ in
 * the JVM), the real DynamoDB API (dynalite), {@link SqsQueueActions}, {@link BatchProcessor} and
 * {@link SqsWorker}, a DNS server and an SMTP server with STARTTLS on 127.0.0.2. Each test asserts
 * what the store holds at the end, what the SMTP server received, and what is left on both queues.
 *
 * <p>The retry schedule starts at one second (plus up to half a second of jitter, rounded up to
 * whole seconds by {@link SqsQueueActions}), so deferred messages return within seconds. The
 * queue's own visibility timeout is kept at 30 seconds, far longer than any delay the batch logic
 * asks for: a message that comes back within seconds came back because the batch logic changed
 * its visibility, not because the queue's timeout ran out.
 */
class QueueIntegrationTest {

    @RegisterExtension
    static final Dynalite DYNALITE = new Dynalite();

    private static final String SEED = """
            {"id": "seed-1", "from": "sender@example.com", "to": ["recipient@example.net"],
             "subject": "This is a sendable email", "text": "Hi there,\\nDid it hit the Spam folder?"}""";

    private static final InetAddress MX_ADDRESS = loopback2();

    /** The queue's own visibility timeout: see the class comment for why it is long. */
    private static final Duration QUEUE_VISIBILITY = Duration.ofSeconds(30);

    /** One second, then doubling: a deferred message returns 2 s later (1..1.5 s rounded up). */
    private static final RetryPolicy FAST_RETRY =
            new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofDays(5), Duration.ofHours(24));

    private static final Duration TIME_RESERVE = Duration.ofSeconds(2);
    private static final Duration SHORT_REQUEUE = Duration.ofSeconds(1);

    /** No long-poll wait, so that runUntilEmpty returns as soon as nothing is visible; ten records a batch. */
    private static final SqsWorker.Settings WORKER = new SqsWorker.Settings(Duration.ZERO, 10, Duration.ofSeconds(30));

    /** Longest wait for a deferred message to come back and be worked: its delay is at most 2 s. */
    private static final Duration COME_BACK_LIMIT = Duration.ofSeconds(10);

    private static final AtomicInteger TABLES = new AtomicInteger();

    private static ZoneDnsServer dns;

    private EmbeddedSqs sqs;
    private SqsClient client;
    private OutcomeStore store;
    private ScriptedSmtpServer mx;
    private final List<String> requeued = new CopyOnWriteArrayList<>();
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final StringWriter progress = new StringWriter();

    @BeforeAll
    static void startDns() throws Exception {
        dns = ZoneDnsServer.start(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @BeforeEach
    void start() {
        sqs = EmbeddedSqs.start(new EmbeddedSqs.Settings(30, QUEUE_VISIBILITY));
        client = sqs.client();
        String table = "queue-it-" + TABLES.incrementAndGet();
        DynamoOutcomeStore.createTable(DYNALITE.api(), table);
        store = new DynamoOutcomeStore(DYNALITE.api(), table);
    }

    @AfterEach
    void stop() {
        if (mx != null) {
            mx.close();
        }
        store.close();
        sqs.close();
    }

    // ---- scenarios ----

    @Test
    void queuedMessageIsDeliveredRecordedAndDeleted() throws Exception {
        mx = smtp(ScriptedSmtpServer.builder());
        send(SEED);

        SqsWorker.Totals totals = worker(WORKER).runUntilEmpty();

        assertThat(totals).isEqualTo(new SqsWorker.Totals(1, 1, 0, 0));
        StoredRecipient r = recipient("seed-1", "recipient@example.net");
        assertDeliveredOverTls(r, 1);
        assertThat(r.history()).extracting(Attempt::code).containsExactly(250);
        assertThat(message("seed-1").status()).isEqualTo(MessageStatus.DONE);
        assertThat(mx.received()).singleElement().satisfies(m -> {
            assertThat(m.recipients()).containsExactly("recipient@example.net");
            assertThat(m.mailFrom()).isEqualTo("sender@example.com");
            assertThat(m.tls()).isTrue();
            assertThat(m.text()).contains("Subject: This is a sendable email");
        });
        assertThat(requeued).isEmpty();
        assertQueuesEmpty();
    }

    @Test
    void transientFailureIsDeferredWithAVisibilityDelayAndDeliveredOnRedelivery() throws Exception {
        mx = smtp(ScriptedSmtpServer.builder().rcptReply("recipient@example.net", "451 4.3.0 try later"));
        send(SEED);
        SqsWorker worker = worker(WORKER);

        SqsWorker.Totals first = worker.runUntilEmpty();

        assertThat(first).isEqualTo(new SqsWorker.Totals(1, 0, 1, 0));
        StoredRecipient deferred = recipient("seed-1", "recipient@example.net");
        assertThat(deferred.status()).isEqualTo(RecipientStatus.DEFERRED);
        assertThat(deferred.finalOutcome()).isFalse();
        assertThat(deferred.lastAttempt().code()).isEqualTo(451);
        assertThat(deferred.lastAttempt().enhancedCode()).isEqualTo("4.3.0");
        assertThat(message("seed-1").status()).isEqualTo(MessageStatus.PENDING);
        assertThat(requeued).singleElement().asString().startsWith("seed-1 after 1 s:");
        // The visibility was changed, not reset: the message is in flight, not visible.
        assertThat(receiveNow()).as("a receive right after the deferral").isEmpty();
        assertThat(queueCounts()).as("visible, in flight").containsExactly(0, 1);
        assertThat(mx.received()).isEmpty();

        // The server accepts again: the same MX address and port, a new server.
        mx = replaceSmtp(ScriptedSmtpServer.builder());
        drain(worker, () -> queueCounts().equals(List.of(0, 0)));

        StoredRecipient r = recipient("seed-1", "recipient@example.net");
        assertDeliveredOverTls(r, 2);
        assertThat(r.history()).extracting(Attempt::code).containsExactly(451, 250);
        assertCameBackAfterTheBackoff(r);
        assertThat(message("seed-1").status()).isEqualTo(MessageStatus.DONE);
        assertThat(mx.received()).singleElement()
                .satisfies(m -> assertThat(m.recipients()).containsExactly("recipient@example.net"));
        assertThat(worker.totals().done()).isEqualTo(1);
        assertQueuesEmpty();
    }

    @Test
    void greylistingIsPassedOnTheFirstRetry() throws Exception {
        mx = smtp(ScriptedSmtpServer.builder().greylist(Duration.ofSeconds(1)));
        send(SEED);
        SqsWorker worker = worker(WORKER);

        worker.runUntilEmpty();
        assertThat(recipient("seed-1", "recipient@example.net").lastAttempt().code()).isEqualTo(450);
        drain(worker, () -> queueCounts().equals(List.of(0, 0)));

        StoredRecipient r = recipient("seed-1", "recipient@example.net");
        assertDeliveredOverTls(r, 2);
        assertThat(r.history()).extracting(Attempt::code).containsExactly(450, 250);
        assertThat(r.history().get(0).status()).isEqualTo(RecipientStatus.DEFERRED);
        assertThat(r.history().get(0).text()).contains("Greylisted");
        assertCameBackAfterTheBackoff(r);
        assertThat(message("seed-1").status()).isEqualTo(MessageStatus.DONE);
        assertThat(mx.received()).singleElement()
                .satisfies(m -> assertThat(m.recipients()).containsExactly("recipient@example.net"));
        assertThat(worker.totals()).isEqualTo(new SqsWorker.Totals(2, 1, 1, 0));
        assertQueuesEmpty();
    }

    @Test
    void partiallyDeliveredMessageRetriesOnlyTheMissingRecipient() throws Exception {
        mx = smtp(ScriptedSmtpServer.builder().rcptReply("bob@example.net", "452 4.2.2 mailbox full"));
        send("""
                {"id": "two", "from": "sender@example.com", "to": ["alice@example.net", "bob@example.net"],
                 "subject": "s", "text": "t"}""");
        SqsWorker worker = worker(WORKER);

        worker.runUntilEmpty();
        List<ReceivedMessage> firstServer = mx.received();
        assertThat(recipient("two", "bob@example.net").status()).isEqualTo(RecipientStatus.DEFERRED);
        mx = replaceSmtp(ScriptedSmtpServer.builder());
        drain(worker, () -> queueCounts().equals(List.of(0, 0)));

        assertThat(firstServer).singleElement()
                .satisfies(m -> assertThat(m.recipients()).containsExactly("alice@example.net"));
        assertThat(mx.received()).singleElement()
                .satisfies(m -> assertThat(m.recipients()).containsExactly("bob@example.net"));
        StoredRecipient alice = recipient("two", "alice@example.net");
        assertDeliveredOverTls(alice, 1);
        StoredRecipient bob = recipient("two", "bob@example.net");
        assertDeliveredOverTls(bob, 2);
        assertThat(bob.history()).extracting(Attempt::code).containsExactly(452, 250);
        assertThat(message("two").status()).isEqualTo(MessageStatus.DONE);
        assertQueuesEmpty();
    }

    @Test
    void duplicateRedeliveriesSendOnce() throws Exception {
        mx = smtp(ScriptedSmtpServer.builder());
        send(SEED);
        send(SEED);

        // One record per batch: the second copy arrives after the first is finished, as a redelivery.
        SqsWorker.Totals totals = worker(new SqsWorker.Settings(Duration.ZERO, 1, Duration.ofSeconds(30))).runUntilEmpty();

        assertThat(batchSizes).containsExactly(1, 1);
        assertThat(totals).isEqualTo(new SqsWorker.Totals(2, 2, 0, 0));
        assertThat(mx.received()).hasSize(1);
        assertThat(mx.connectionCount()).isEqualTo(1);
        StoredRecipient r = recipient("seed-1", "recipient@example.net");
        assertDeliveredOverTls(r, 1);
        assertThat(r.history()).hasSize(1);
        assertThat(message("seed-1").status()).isEqualTo(MessageStatus.DONE);
        assertThat(requeued).isEmpty();
        assertQueuesEmpty();
    }

    @Test
    void concurrentCopiesInOneBatchDeliverOnce() throws Exception {
        mx = smtp(ScriptedSmtpServer.builder().delay(SmtpStage.END_OF_DATA, Duration.ofMillis(800)));
        send(SEED);
        send(SEED);
        SqsWorker worker = worker(WORKER);

        worker.runUntilEmpty();
        // Both copies were in the first batch and worked at once: the one that lost the claim was
        // put back for the short delay while the other was still waiting for the end-of-data reply.
        assertThat(batchSizes.get(0)).isEqualTo(2);
        assertThat(requeued).singleElement().asString()
                .isEqualTo("seed-1 after 1 s: another worker is delivering it");
        drain(worker, () -> queueCounts().equals(List.of(0, 0)));

        assertThat(batchSizes).containsExactly(2, 1);
        assertThat(mx.received()).hasSize(1);
        assertThat(mx.connectionCount()).isEqualTo(1);
        StoredRecipient r = recipient("seed-1", "recipient@example.net");
        assertDeliveredOverTls(r, 1);
        assertThat(r.history()).hasSize(1);
        assertThat(message("seed-1").status()).isEqualTo(MessageStatus.DONE);
        assertThat(worker.totals()).isEqualTo(new SqsWorker.Totals(2, 2, 1, 0));
        assertQueuesEmpty();
    }

    @Test
    void messageReceivedAgainWhileStillBeingDeliveredIsSentOnce() throws Exception {
        // SQS's own duplicate: one message, one id, received by a second worker because its
        // visibility timeout ran out while the first worker was still waiting for the MX.
        restartSqs(Duration.ofSeconds(1));
        mx = smtp(ScriptedSmtpServer.builder().delay(SmtpStage.END_OF_DATA, Duration.ofMillis(2500)));
        send(SEED);
        SqsWorker first = worker(WORKER);
        SqsWorker second = worker(WORKER);
        List<String> seenBySecond = new CopyOnWriteArrayList<>();

        Thread firstThread = Thread.ofVirtual().start(first::runUntilEmpty);
        awaitCondition(() -> mx.connectionCount() == 1, Duration.ofSeconds(5));
        awaitCondition(() -> {
            second.runUntilEmpty();
            return second.totals().batches() > 0;
        }, Duration.ofSeconds(5));
        seenBySecond.addAll(requeued);
        firstThread.join(Duration.ofSeconds(10));
        assertThat(firstThread.isAlive()).isFalse();
        drain(worker(WORKER), () -> queueCounts().equals(List.of(0, 0)));

        assertThat(seenBySecond).as("the second receive, while the first was in the end-of-data wait")
                .containsExactly("seed-1 after 1 s: another worker is delivering it");
        assertThat(mx.received()).hasSize(1);
        assertThat(mx.connectionCount()).isEqualTo(1);
        StoredRecipient r = recipient("seed-1", "recipient@example.net");
        assertDeliveredOverTls(r, 1);
        assertThat(r.history()).hasSize(1);
        assertThat(message("seed-1").status()).isEqualTo(MessageStatus.DONE);
        assertQueuesEmpty();
    }

    @Test
    void invalidBodyLandsWholeInTheDeadLetterQueueAndIsRecordedAsRejected() throws Exception {
        mx = smtp(ScriptedSmtpServer.builder());
        String bad = "{\"from\":\"sender@example.com\",\"to\":[\"because@i-can@example.com\"],\"subject\":\"s\",\"text\":\"t\"}";
        String messageId = send(bad);

        SqsWorker.Totals totals = worker(WORKER).runUntilEmpty();

        assertThat(totals).isEqualTo(new SqsWorker.Totals(1, 1, 0, 0));
        List<Message> dead = client.receiveMessage(b -> b.queueUrl(sqs.deadLetterQueueUrl()).maxNumberOfMessages(10)
                .waitTimeSeconds(0).messageAttributeNames("All")).messages();
        assertThat(dead).singleElement().satisfies(m -> {
            assertThat(m.body()).isEqualTo(bad);
            assertThat(m.messageAttributes().get(SqsQueueActions.ERROR_ATTRIBUTE).stringValue())
                    .contains("to[0]").contains("because@i-can@example.com");
            assertThat(m.messageAttributes().get(SqsQueueActions.SOURCE_MESSAGE_ID_ATTRIBUTE).stringValue())
                    .isEqualTo(messageId);
        });
        StoredMessage rejected = message("rejected:" + messageId);
        assertThat(rejected.status()).isEqualTo(MessageStatus.REJECTED);
        assertThat(rejected.error()).contains("to[0]");
        assertThat(rejected.bodyExcerpt()).isEqualTo(bad);
        assertThat(rejected.recipients()).isEmpty();
        assertThat(mx.connectionCount()).isZero();
        assertThat(queueCounts()).as("main queue: visible, in flight").containsExactly(0, 0);
    }

    @Test
    void timeBudgetTooShortRequeuesUnfinishedWork() throws Exception {
        mx = smtp(ScriptedSmtpServer.builder());
        String messageId = send(SEED);
        // 3 s per batch with a 2 s reserve leaves 1 s, less than the 5 s a delivery needs to start.
        SqsWorker hurried = worker(new SqsWorker.Settings(Duration.ZERO, 10, Duration.ofSeconds(3)));

        long started = System.nanoTime();
        SqsWorker.Totals totals = hurried.runUntilEmpty();

        assertThat(totals).isEqualTo(new SqsWorker.Totals(1, 0, 1, 0));
        assertThat(requeued).singleElement().asString()
                .isEqualTo("record " + messageId + " after 1 s: too little time left in this invocation");
        assertThat(mx.connectionCount()).isZero();
        assertThat(store.find("seed-1")).as("nothing is recorded for unstarted work").isEmpty();
        assertThat(receiveNow()).as("a receive right after the requeue").isEmpty();
        assertThat(queueCounts()).as("visible, in flight").containsExactly(0, 1);

        // It returns after the short requeue delay, not after the queue's 30 s visibility timeout.
        Message back = awaitVisible(Duration.ofSeconds(5));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time until it was visible again")
                .isGreaterThanOrEqualTo(SHORT_REQUEUE);
        assertThat(back.messageId()).isEqualTo(messageId);
        assertThat(back.body()).isEqualTo(SEED);
        assertThat(back.attributes()).containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "2");
        assertThat(mx.connectionCount()).isZero();

        // A worker with time enough finishes it.
        client.changeMessageVisibility(b -> b.queueUrl(sqs.queueUrl()).receiptHandle(back.receiptHandle()).visibilityTimeout(0));
        assertThat(worker(WORKER).runUntilEmpty()).isEqualTo(new SqsWorker.Totals(1, 1, 0, 0));
        assertDeliveredOverTls(recipient("seed-1", "recipient@example.net"), 1);
        assertThat(mx.received()).hasSize(1);
        assertQueuesEmpty();
    }

    // ---- wiring ----

    /** Replaces this test's queues with ones whose visibility timeout is {@code visibility}. */
    private void restartSqs(Duration visibility) {
        sqs.close();
        sqs = EmbeddedSqs.start(new EmbeddedSqs.Settings(30, visibility));
        client = sqs.client();
    }

    private static void awaitCondition(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + limit);
            }
            Thread.sleep(20);
        }
    }

    private ScriptedSmtpServer smtp(ScriptedSmtpServer.Builder builder) throws Exception {
        return builder.bind(MX_ADDRESS, 0).start();
    }

    /** Closes the MX and starts {@code builder} on the same address and port. */
    private ScriptedSmtpServer replaceSmtp(ScriptedSmtpServer.Builder builder) throws Exception {
        int port = mx.port();
        mx.close();
        return builder.bind(MX_ADDRESS, port).start();
    }

    private BatchProcessor processor() {
        Clock clock = Clock.systemUTC();
        DeliverySettings delivery = new DeliverySettings(List.of(new ServicePort(mx.port(), TlsMode.STARTTLS)), List.of(),
                new AddressPolicy(true), StartTls.WHEN_OFFERED, Duration.ofSeconds(20), Duration.ofSeconds(1));
        SmtpClient smtp = new SmtpClient(new SmtpClient.Settings("client.example.com",
                SmtpTimeouts.rfc5321().cappedAt(Duration.ofSeconds(5)), SocketFactory.getDefault(),
                OpportunisticTls.socketFactory()));
        Deliverer deliverer = new Deliverer(new DestinationResolver(DnsServers.resolver(dns.hostPort(), Duration.ofSeconds(1)),
                new Random(1)), smtp, delivery, clock);
        BatchSettings settings = new BatchSettings(FAST_RETRY, 8, TIME_RESERVE, Duration.ofSeconds(20),
                Duration.ofDays(30), SHORT_REQUEUE);
        BatchObserver observer = new BatchObserver() {
            @Override
            public void requeued(String key, long delaySeconds, String why) {
                requeued.add(key + " after " + delaySeconds + " s: " + why);
            }
        };
        return new BatchProcessor(new MessageComposer(clock, MessageLimits.defaults()), deliverer, store,
                new SqsQueueActions(client, sqs.queueUrl(), sqs.deadLetterQueueUrl()), settings, clock, new Random(2),
                observer);
    }

    /** A worker on the main queue running a processor built for the current MX port; records batch sizes. */
    private SqsWorker worker(SqsWorker.Settings settings) {
        BatchProcessor processor = processor();
        SqsWorker.BatchFunction function = (records, remaining) -> {
            batchSizes.add(records.size());
            return processor.process(records, remaining);
        };
        return new SqsWorker(client, sqs.queueUrl(), function, settings, new PrintWriter(progress), Clock.systemUTC());
    }

    /**
     * Runs the worker until {@code done}, as a long-running worker would, giving deferred messages
     * time to come back; fails after {@link #COME_BACK_LIMIT}.
     */
    private void drain(SqsWorker worker, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + COME_BACK_LIMIT.toNanos();
        while (true) {
            worker.runUntilEmpty();
            if (done.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("the queue did not drain within " + COME_BACK_LIMIT + "; worker said:\n" + progress);
            }
            Thread.sleep(100);
        }
    }

    // ---- queue and store probes ----

    private String send(String body) {
        return client.sendMessage(b -> b.queueUrl(sqs.queueUrl()).messageBody(body)).messageId();
    }

    /** A receive without a long-poll wait, as a second consumer would make it now. */
    private List<Message> receiveNow() {
        return client.receiveMessage(b -> b.queueUrl(sqs.queueUrl()).maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
    }

    /** Polls until a message is visible on the main queue, and receives it; fails after {@code limit}. */
    private Message awaitVisible(Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            List<Message> messages = client.receiveMessage(b -> b.queueUrl(sqs.queueUrl()).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            if (!messages.isEmpty()) {
                assertThat(messages).hasSize(1);
                return messages.get(0);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no message became visible within " + limit);
    }

    /** Messages visible and messages in flight on the main queue. */
    private List<Integer> queueCounts() {
        return counts(sqs.queueUrl());
    }

    private List<Integer> counts(String queueUrl) {
        Map<QueueAttributeName, String> attributes = client.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return List.of(Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)),
                Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)));
    }

    private void assertQueuesEmpty() {
        assertThat(queueCounts()).as("main queue: visible, in flight").containsExactly(0, 0);
        assertQueueCountsDlqEmpty();
    }

    private void assertQueueCountsDlqEmpty() {
        assertThat(counts(sqs.deadLetterQueueUrl())).as("dead-letter queue: visible, in flight").containsExactly(0, 0);
    }

    private StoredMessage message(String key) {
        return store.find(key).orElseThrow(() -> new AssertionError("nothing stored under " + key));
    }

    private StoredRecipient recipient(String key, String address) {
        return message(key).recipients().stream().filter(r -> r.address().equals(address)).findFirst()
                .orElseThrow(() -> new AssertionError(address + " is not stored under " + key));
    }

    private static void assertDeliveredOverTls(StoredRecipient r, int attempts) {
        assertThat(r.status()).as(r.address() + " status").isEqualTo(RecipientStatus.DELIVERED);
        assertThat(r.finalOutcome()).isTrue();
        assertThat(r.attempts()).as(r.address() + " attempts").isEqualTo(attempts);
        assertThat(r.deliveredAt()).isNotNull();
        Attempt last = r.lastAttempt();
        assertThat(last.code()).isEqualTo(250);
        assertThat(last.route().mxHost()).isEqualTo("mx.example.net");
        assertThat(last.route().address()).isEqualTo("127.0.0.2");
        assertThat(last.route().tlsProtocol()).startsWith("TLSv1.");
        assertThat(last.route().tlsCipher()).isNotBlank();
    }

    /** The retry happened no earlier than the retry policy's first delay after the first attempt. */
    private static void assertCameBackAfterTheBackoff(StoredRecipient r) {
        assertThat(r.history()).hasSize(2);
        Duration gap = Duration.between(r.history().get(0).at(), r.history().get(1).at());
        assertThat(gap).as("time between the attempts").isGreaterThanOrEqualTo(FAST_RETRY.minDelay())
                .isLessThan(COME_BACK_LIMIT);
    }

    private static InetAddress loopback2() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
