package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.directmx.sandbox.sqs.EmbeddedSqs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@link SqsWorker} against a real SQS API (ElasticMQ over HTTP), with Lambda's rules as the yardstick. */
class SqsWorkerTest {

    /**
     * No long-poll wait, which ElasticMQ answers completely, so that {@code runUntilEmpty} ends at once; a
     * budget shorter than the embedded queue's 5-minute visibility timeout, so no "shorter than the budget" note.
     */
    private static final SqsWorker.Settings SETTINGS =
            new SqsWorker.Settings(Duration.ZERO, 10, Duration.ofSeconds(20));

    /** Long enough that a record the function keeps does not come back while the test runs. */
    private static final Duration RETRY_LATER = Duration.ofSeconds(60);

    private EmbeddedSqs sqs;
    private SqsClient client;
    private SqsQueueActions queue;
    private final StringWriter progress = new StringWriter();

    @BeforeEach
    void start() {
        sqs = EmbeddedSqs.start();
        client = sqs.client();
        queue = new SqsQueueActions(client, sqs.queueUrl(), sqs.deadLetterQueueUrl());
    }

    @AfterEach
    void stop() {
        sqs.close();
    }

    @Test
    void recordsAreFilledAsLambdaFillsThem() {
        client.sendMessage(b -> b.queueUrl(sqs.queueUrl()).messageBody("{\"subject\": \"Grüße\"}")
                .messageAttributes(Map.of(
                        "tenant", MessageAttributeValue.builder().dataType("String").stringValue("acme").build(),
                        "trace", MessageAttributeValue.builder().dataType("Binary")
                                .binaryValue(SdkBytes.fromByteArray(new byte[] {1, 2, (byte) 0xff})).build())));
        List<SQSEvent.SQSMessage> seen = new ArrayList<>();

        worker((records, remaining) -> {
            seen.addAll(records);
            return new SQSBatchResponse(List.of());
        }).runUntilEmpty();

        assertThat(seen).hasSize(1);
        SQSEvent.SQSMessage record = seen.get(0);
        assertThat(record.getBody()).isEqualTo("{\"subject\": \"Grüße\"}");
        assertThat(record.getMessageId()).isNotBlank();
        assertThat(record.getReceiptHandle()).isNotBlank();
        assertThat(record.getMd5OfBody()).hasSize(32);
        assertThat(record.getMd5OfMessageAttributes()).hasSize(32);
        assertThat(record.getEventSource()).isEqualTo("aws:sqs");
        assertThat(record.getEventSourceArn()).isEqualTo("arn:aws:sqs:us-east-1:000000000000:directmx");
        assertThat(record.getAwsRegion()).isEqualTo("us-east-1");
        assertThat(record.getAttributes()).containsKeys("SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp")
                .containsEntry("ApproximateReceiveCount", "1");
        assertThat(Long.parseLong(record.getAttributes().get("SentTimestamp"))).isPositive();
        SQSEvent.MessageAttribute tenant = record.getMessageAttributes().get("tenant");
        assertThat(tenant.getDataType()).isEqualTo("String");
        assertThat(tenant.getStringValue()).isEqualTo("acme");
        assertThat(tenant.getBinaryValue()).isNull();
        assertThat(tenant.getStringListValues()).isEmpty();
        assertThat(tenant.getBinaryListValues()).isEmpty();
        SQSEvent.MessageAttribute trace = record.getMessageAttributes().get("trace");
        assertThat(trace.getDataType()).isEqualTo("Binary");
        assertThat(SdkBytes.fromByteBuffer(trace.getBinaryValue()).asByteArray()).containsExactly(1, 2, 0xff);
        assertThat(trace.getStringValue()).isNull();
    }

    @Test
    void approximateReceiveCountGrowsOnRedelivery() {
        send("{\"n\": 1}");
        List<String> counts = new ArrayList<>();

        worker((records, remaining) -> {
            SQSEvent.SQSMessage record = records.get(0);
            counts.add(record.getAttributes().get("ApproximateReceiveCount"));
            if (counts.size() == 1) {
                queue.changeVisibility(record.getReceiptHandle(), Duration.ZERO);
                return failures(record);
            }
            return failures();
        }).runUntilEmpty();

        assertThat(counts).containsExactly("1", "2");
    }

    @Test
    void deletesFinishedRecordsAndKeepsReportedFailures() {
        send("{\"n\": 1}");
        send("{\"n\": 2, \"defer\": true}");
        send("{\"n\": 3}");

        SqsWorker.Totals totals = worker((records, remaining) -> failures(records.stream()
                .filter(r -> r.getBody().contains("defer"))
                .peek(r -> queue.changeVisibility(r.getReceiptHandle(), RETRY_LATER))
                .toArray(SQSEvent.SQSMessage[]::new))).runUntilEmpty();

        assertThat(totals).isEqualTo(new SqsWorker.Totals(1, 2, 1, 0));
        assertThat(progress.toString()).isEqualTo(
                "worker: batch of 3: 2 done, 1 retrying later (total 2 done, 1 retrying)\n");
        assertThat(queueCounts()).as("visible, in flight").containsExactly(0, 1);
    }

    @Test
    void functionThatThrowsLeavesItsBatchOnTheQueueAndTheWorkerGoesOn() {
        send("{\"n\": 1}");
        send("{\"n\": 2}");
        AtomicInteger calls = new AtomicInteger();
        SqsWorker.Settings oneAtATime = new SqsWorker.Settings(Duration.ZERO, 1, Duration.ofSeconds(20));

        SqsWorker.Totals totals = new SqsWorker(client, sqs.queueUrl(), (records, remaining) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("store unreachable");
            }
            return failures();
        }, oneAtATime, new PrintWriter(progress), Clock.systemUTC()).runUntilEmpty();

        assertThat(totals).isEqualTo(new SqsWorker.Totals(2, 1, 1, 1));
        assertThat(progress.toString()).contains("worker: batch of 1 failed (IllegalStateException: store unreachable);"
                + " its messages come back after the queue's visibility timeout");
        assertThat(queueCounts()).as("visible, in flight").containsExactly(0, 1);
    }

    @Test
    void responseNamingAMessageNotInTheBatchKeepsTheWholeBatch() {
        send("{\"n\": 1}");
        send("{\"n\": 2}");

        SqsWorker.Totals totals = worker((records, remaining) -> {
            records.forEach(r -> queue.changeVisibility(r.getReceiptHandle(), RETRY_LATER));
            return new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure("no-such-message")));
        }).runUntilEmpty();

        assertThat(totals.done()).isZero();
        assertThat(totals.retried()).isEqualTo(2);
        assertThat(progress.toString()).contains("names message 'no-such-message', which is not in the batch");
        assertThat(queueCounts()).as("visible, in flight").containsExactly(0, 2);
    }

    @Test
    void nullResponseMeansEveryRecordIsDone() {
        send("{\"n\": 1}");

        SqsWorker.Totals totals = worker((records, remaining) -> null).runUntilEmpty();

        assertThat(totals).isEqualTo(new SqsWorker.Totals(1, 1, 0, 0));
        assertThat(queueCounts()).as("visible, in flight").containsExactly(0, 0);
    }

    @Test
    void emptyItemIdentifierKeepsTheWholeBatchAsLambdaDoes() {
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId("m-1");

        SqsBatchOutcome outcome = SqsBatchOutcome.of(
                new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure(""))), List.of(record));

        assertThat(outcome.done()).isEmpty();
        assertThat(outcome.retried()).containsExactly(record);
        assertThat(outcome.problem()).hasValueSatisfying(p -> assertThat(p).contains("empty item identifier"));
    }

    @Test
    void remainingTimeCountsDownFromTheBatchBudget() {
        send("{\"n\": 1}");
        MovableClock clock = new MovableClock();
        List<Duration> remainingSeen = new ArrayList<>();

        new SqsWorker(client, sqs.queueUrl(), (records, remaining) -> {
            remainingSeen.add(remaining.get());
            clock.advance(Duration.ofSeconds(15));
            remainingSeen.add(remaining.get());
            clock.advance(Duration.ofMinutes(1));
            remainingSeen.add(remaining.get());
            return failures();
        }, SETTINGS, new PrintWriter(progress), clock).runUntilEmpty();

        assertThat(remainingSeen).containsExactly(Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ZERO);
    }

    @Test
    void notesAVisibilityTimeoutShorterThanTheBatchBudget() {
        SqsWorker.Settings tenMinutes = new SqsWorker.Settings(Duration.ZERO, 10, Duration.ofMinutes(10));

        new SqsWorker(client, sqs.queueUrl(), (records, remaining) -> failures(), tenMinutes,
                new PrintWriter(progress), Clock.systemUTC()).runUntilEmpty();

        assertThat(progress.toString()).startsWith(
                "worker: note: the queue's visibility timeout (300 s) is shorter than the batch budget (600 s)");
    }

    @Test
    void runEndsWhenTheStopFlagIsSet() throws Exception {
        send("{\"n\": 1}");
        AtomicBoolean stop = new AtomicBoolean();
        SqsWorker worker = worker((records, remaining) -> {
            stop.set(true);
            return failures();
        });

        Thread thread = Thread.ofVirtual().start(() -> worker.run(stop));
        thread.join(Duration.ofSeconds(5));

        assertThat(thread.isAlive()).isFalse();
        assertThat(worker.totals()).isEqualTo(new SqsWorker.Totals(1, 1, 0, 0));
    }

    @Test
    void receiveFailuresAreReportedAndTriedAgainUntilStopped() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AtomicBoolean stop = new AtomicBoolean();
        try (SqsClient unreachable = EmbeddedSqs.clientFor(URI.create("http://127.0.0.1:" + closedPort))) {
            SqsWorker worker = new SqsWorker(unreachable, sqs.queueUrl(), (records, remaining) -> failures(), SETTINGS,
                    new PrintWriter(progress), Clock.systemUTC());

            Thread thread = Thread.ofVirtual().start(() -> worker.run(stop));
            waitFor(() -> progress.toString().contains("trying again in 2 s"), Duration.ofSeconds(3));
            stop.set(true);
            thread.join(Duration.ofSeconds(2));

            assertThat(thread.isAlive()).isFalse();
        }
        assertThat(progress.toString()).startsWith("worker: cannot receive from " + sqs.queueUrl() + " (")
                .contains("trying again in 1 s").contains("trying again in 2 s");
    }

    @Test
    void settingsOutsideWhatSqsAcceptsAreRefused() {
        assertThatThrownBy(() -> new SqsWorker.Settings(Duration.ofSeconds(21), 10, Duration.ofMinutes(5)))
                .hasMessageContaining("waitTime");
        assertThatThrownBy(() -> new SqsWorker.Settings(Duration.ofMillis(500), 10, Duration.ofMinutes(5)))
                .hasMessageContaining("waitTime");
        assertThatThrownBy(() -> new SqsWorker.Settings(Duration.ofSeconds(20), 11, Duration.ofMinutes(5)))
                .hasMessageContaining("maxMessages");
        assertThatThrownBy(() -> new SqsWorker.Settings(Duration.ofSeconds(20), 10, Duration.ZERO))
                .hasMessageContaining("batchBudget");
        assertThatThrownBy(() -> new SqsWorker.Settings(Duration.ofSeconds(20), 10, Duration.ofMinutes(16)))
                .hasMessageContaining("batchBudget");
        assertThatThrownBy(() -> new SqsWorker.Settings(Duration.ofSeconds(20), 10, Duration.ofMinutes(5), 0))
                .hasMessageContaining("pollers");
        assertThatThrownBy(() -> new SqsWorker.Settings(Duration.ofSeconds(20), 10, Duration.ofMinutes(5), 65))
                .hasMessageContaining("pollers");
        assertThat(SqsWorker.Settings.defaults())
                .isEqualTo(new SqsWorker.Settings(Duration.ofSeconds(20), 10, Duration.ofMinutes(5), 5));
        assertThat(new SqsWorker.Settings(Duration.ofSeconds(20), 10, Duration.ofMinutes(5)).pollers()).isOne();
    }

    @Test
    void pollersWorkBatchesAtOnceAndEachMessageOnce() {
        for (int i = 0; i < 30; i++) {
            send("{\"n\": " + i + "}");
        }
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        CountDownLatch twoBatches = new CountDownLatch(2);
        Map<String, Integer> seen = new ConcurrentHashMap<>();

        SqsWorker.Totals totals = pollers(3, (records, remaining) -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                // Holds each batch until a second one has started (or 5 s pass), so that overlap,
                // not luck, is what the assertion sees.
                twoBatches.countDown();
                twoBatches.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            records.forEach(r -> seen.merge(r.getBody(), 1, Integer::sum));
            inFlight.decrementAndGet();
            return failures();
        }, 10).runUntilEmpty();

        assertThat(mostInFlight.get()).as("batches in flight at once").isGreaterThan(1);
        assertThat(seen).hasSize(30).allSatisfy((body, times) -> assertThat(times).as(body).isOne());
        assertThat(totals.done()).isEqualTo(30);
        assertThat(totals.retried()).isZero();
        assertThat(queueCounts()).as("visible, in flight").containsExactly(0, 0);
    }

    @Test
    void untilEmptyWaitsForEveryPollerAndPicksUpWhatTheyPutBack() {
        send("{\"n\": 1, \"slow\": true}");
        send("{\"n\": 2}");
        AtomicInteger slowCalls = new AtomicInteger();
        AtomicLong slowBatchEnded = new AtomicLong();

        SqsWorker.Totals totals = pollers(3, (records, remaining) -> {
            SQSEvent.SQSMessage record = records.get(0);
            if (record.getBody().contains("slow") && slowCalls.incrementAndGet() == 1) {
                // The other pollers find the queue empty meanwhile; they must not end the run, since
                // this batch puts its record straight back.
                sleep(Duration.ofMillis(300));
                queue.changeVisibility(record.getReceiptHandle(), Duration.ZERO);
                slowBatchEnded.set(System.nanoTime());
                return failures(record);
            }
            return failures();
        }, 1).runUntilEmpty();
        long returned = System.nanoTime();

        assertThat(slowCalls.get()).as("the put-back record was received again").isEqualTo(2);
        assertThat(returned).isGreaterThan(slowBatchEnded.get());
        assertThat(totals).isEqualTo(new SqsWorker.Totals(3, 2, 1, 0));
        assertThat(queueCounts()).as("visible, in flight").containsExactly(0, 0);
    }

    @Test
    void aBatchThatThrowsInOnePollerDoesNotStopTheOthers() {
        for (int i = 0; i < 6; i++) {
            send(i == 0 ? "{\"boom\": true}" : "{\"n\": " + i + "}");
        }
        Set<String> done = ConcurrentHashMap.newKeySet();

        SqsWorker.Totals totals = pollers(3, (records, remaining) -> {
            if (records.get(0).getBody().contains("boom")) {
                throw new IllegalStateException("store unreachable");
            }
            done.add(records.get(0).getBody());
            return failures();
        }, 1).runUntilEmpty();

        assertThat(done).hasSize(5);
        assertThat(totals).isEqualTo(new SqsWorker.Totals(6, 5, 1, 1));
        assertThat(progress.toString()).contains("failed (IllegalStateException: store unreachable)");
        assertThat(queueCounts()).as("visible, in flight").containsExactly(0, 1);
    }

    @Test
    void runWithPollersEndsWhenStoppedAfterTheBatchesInHand() throws Exception {
        for (int i = 0; i < 3; i++) {
            send("{\"n\": " + i + "}");
        }
        AtomicBoolean stop = new AtomicBoolean();
        SqsWorker worker = pollers(3, (records, remaining) -> {
            stop.set(true);
            sleep(Duration.ofMillis(100));
            return failures();
        }, 1);

        Thread thread = Thread.ofVirtual().start(() -> worker.run(stop));
        thread.join(Duration.ofSeconds(5));

        assertThat(thread.isAlive()).isFalse();
        SqsWorker.Totals totals = worker.totals();
        assertThat(totals.done()).as("every batch taken was finished").isEqualTo(totals.batches());
        assertThat(queueCounts().get(1)).as("in flight").isZero();
    }

    private SqsWorker worker(SqsWorker.BatchFunction function) {
        return new SqsWorker(client, sqs.queueUrl(), function, SETTINGS, new PrintWriter(progress), Clock.systemUTC());
    }

    private SqsWorker pollers(int pollers, SqsWorker.BatchFunction function, int maxMessages) {
        return new SqsWorker(client, sqs.queueUrl(), function,
                new SqsWorker.Settings(Duration.ZERO, maxMessages, Duration.ofSeconds(20), pollers),
                new PrintWriter(progress), Clock.systemUTC());
    }

    private static void sleep(Duration length) {
        try {
            Thread.sleep(length);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(String body) {
        client.sendMessage(b -> b.queueUrl(sqs.queueUrl()).messageBody(body));
    }

    private static SQSBatchResponse failures(SQSEvent.SQSMessage... failed) {
        List<SQSBatchResponse.BatchItemFailure> list = new ArrayList<>();
        for (SQSEvent.SQSMessage record : failed) {
            list.add(new SQSBatchResponse.BatchItemFailure(record.getMessageId()));
        }
        return new SQSBatchResponse(list);
    }

    /** Messages visible and messages in flight (received, neither deleted nor visible again). */
    private List<Integer> queueCounts() {
        Map<QueueAttributeName, String> attributes = client.getQueueAttributes(b -> b.queueUrl(sqs.queueUrl())
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return List.of(Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)),
                Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)));
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + limit);
            }
            Thread.sleep(20);
        }
    }

    /** A clock the test moves by hand. */
    private static final class MovableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
