package dev.directmx.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Does for one queue what Lambda's SQS event source mapping does, so that the batch logic runs
 * unchanged on any machine: long-polls, hands each batch to the function as Lambda records with a
 * time budget, and deletes every record the function did not report in {@code batchItemFailures}
 * (ReportBatchItemFailures semantics). Failed records are left as the function left them: it has
 * already changed their visibility.
 *
 * <p>Lifecycle: one instance per queue, driven by one thread through {@link #run} or {@link
 * #runUntilEmpty}; {@link #totals()} may be read from any thread. It never closes the client.
 * Nothing is lost if the process dies: a received message that was not deleted comes back after
 * its visibility timeout, and the redrive policy's {@code maxReceiveCount} bounds how often.
 */
public final class SqsWorker {

    /**
     * The longest long-poll wait of {@link #runUntilEmpty}: one second, so a drained queue is
     * noticed at once, while unlike a zero wait SQS still asks all its servers rather than a sample.
     */
    public static final Duration EMPTY_CHECK_WAIT = Duration.ofSeconds(1);

    /** The longest pause of {@link #run} between receives that fail; pauses double from one second up to it. */
    static final Duration MAX_RECEIVE_BACKOFF = Duration.ofSeconds(30);

    /** SQS's longest long-poll wait. */
    private static final Duration MAX_WAIT = Duration.ofSeconds(20);

    /** Lambda's longest timeout, 15 minutes. */
    private static final Duration MAX_BATCH_BUDGET = Duration.ofMinutes(15);

    /** DeleteMessageBatch takes at most 10 entries. */
    private static final int DELETE_BATCH_LIMIT = 10;

    /** The batch logic, as the Lambda handler calls it. */
    @FunctionalInterface
    public interface BatchFunction {

        /**
         * Works a batch and names the records to keep in {@code batchItemFailures}.
         *
         * @param remainingTime the time left of the batch's budget, never negative, like
         *     Lambda's {@code getRemainingTimeInMillis}
         */
        SQSBatchResponse apply(List<SQSEvent.SQSMessage> records, Supplier<Duration> remainingTime);
    }

    /**
     * How the worker polls.
     *
     * @param waitTime the long-poll wait of {@link #run} (0..20 s, whole seconds). The default is
     *     20 s, SQS's longest: fewest empty receives, and a new message still starts at once. Zero
     *     makes {@code run} poll an empty queue without pause; it suits {@link #runUntilEmpty}.
     * @param maxMessages records per batch (1..10). The default is 10, SQS's most and Lambda's
     *     default batch size.
     * @param batchBudget what the batch logic is told it has for one batch, as a Lambda function
     *     is told its timeout (1 s..15 min, Lambda's limit too, which keeps records' time in flight
     *     within {@link SqsQueueActions}'s allowance). The default is 5 minutes. Keep the queue's
     *     visibility timeout at least this long, as Lambda requires, or slow records are received
     *     twice.
     */
    public record Settings(Duration waitTime, int maxMessages, Duration batchBudget) {

        public Settings {
            Objects.requireNonNull(waitTime, "waitTime");
            Objects.requireNonNull(batchBudget, "batchBudget");
            if (waitTime.isNegative() || waitTime.compareTo(MAX_WAIT) > 0 || waitTime.toNanosPart() != 0) {
                throw new IllegalArgumentException("waitTime must be 0..20 whole seconds, not " + waitTime);
            }
            if (maxMessages < 1 || maxMessages > 10) {
                throw new IllegalArgumentException("maxMessages must be 1..10, not " + maxMessages);
            }
            if (batchBudget.compareTo(Duration.ofSeconds(1)) < 0 || batchBudget.compareTo(MAX_BATCH_BUDGET) > 0) {
                throw new IllegalArgumentException("batchBudget must be 1 s..15 min, not " + batchBudget);
            }
        }

        /** 20 s wait, 10 records, 5 minutes per batch. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(20), 10, Duration.ofMinutes(5));
        }
    }

    /**
     * What the worker has done since it was made.
     *
     * @param batches batches handed to the function
     * @param done records the function finished (deleted, or left to come back if deleting failed)
     * @param retried records left on the queue: reported as failures, or in a batch that failed whole
     * @param crashed batches whose function threw
     */
    public record Totals(long batches, long done, long retried, long crashed) {

        static final Totals NONE = new Totals(0, 0, 0, 0);

        Totals plus(int done, int retried, boolean crashed) {
            return new Totals(batches + 1, this.done + done, this.retried + retried, this.crashed + (crashed ? 1 : 0));
        }
    }

    private final SqsClient sqs;
    private final String queueUrl;
    private final BatchFunction function;
    private final Settings settings;
    private final PrintWriter progress;
    private final Clock clock;
    private SqsMessages.Source source; // looked up on the first receive; confined to the polling thread
    private volatile Totals totals = Totals.NONE;

    /**
     * @param sqs the client, owned by the caller
     * @param queueUrl the queue to poll
     * @param function the batch logic
     * @param settings waits, batch size and budget
     * @param progress where one line per batch and every problem are written
     * @param clock measures each batch's remaining time
     */
    public SqsWorker(SqsClient sqs, String queueUrl, BatchFunction function, Settings settings, PrintWriter progress,
                     Clock clock) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        this.function = Objects.requireNonNull(function, "function");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Works batches until two receives in a row find nothing visible: for the demo and tests.
     * Each receive waits {@link Settings#waitTime()} but at most {@link #EMPTY_CHECK_WAIT}; a
     * zero wait suits ElasticMQ, while real SQS may then answer from a sample of its servers.
     * Records made invisible by the function are not waited for. Ends, because each message is
     * received at most the redrive policy's {@code maxReceiveCount} times.
     *
     * @throws SdkException when SQS cannot be reached or refuses a receive
     */
    public Totals runUntilEmpty() {
        Duration wait = min(settings.waitTime(), EMPTY_CHECK_WAIT);
        int emptyInARow = 0;
        while (emptyInARow < 2) {
            emptyInARow = pollOnce(wait) == 0 ? emptyInARow + 1 : 0;
        }
        return totals;
    }

    /**
     * Works batches until {@code stop} is set (by a shutdown hook, say) or the thread is
     * interrupted. The flag is read between receives, so stopping takes up to {@link
     * Settings#waitTime()} plus the batch in hand; a shutdown hook should set it and then wait
     * for this method to return, so that the batch in hand is finished and deleted. A receive
     * that fails (SQS unreachable, the queue missing) is reported and tried again after a pause
     * that doubles up to {@link #MAX_RECEIVE_BACKOFF}.
     */
    public Totals run(AtomicBoolean stop) {
        Duration pause = Duration.ZERO;
        while (!stop.get() && !Thread.currentThread().isInterrupted()) {
            try {
                pollOnce(settings.waitTime());
                pause = Duration.ZERO;
            } catch (SdkException e) {
                pause = pause.isZero() ? Duration.ofSeconds(1) : min(pause.multipliedBy(2), MAX_RECEIVE_BACKOFF);
                say("worker: cannot receive from " + queueUrl + " (" + describe(e) + "); trying again in "
                        + pause.toSeconds() + " s");
                if (!pause(pause, stop)) {
                    break;
                }
            }
        }
        return totals;
    }

    /** What the worker has done so far. */
    public Totals totals() {
        return totals;
    }

    /** Receives once and works what came; returns how many messages came. */
    int pollOnce(Duration wait) {
        SqsMessages.Source from = source();
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                .maxNumberOfMessages(settings.maxMessages())
                .waitTimeSeconds((int) wait.toSeconds())
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
        if (!messages.isEmpty()) {
            work(SqsMessages.toLambda(messages, from));
        }
        return messages.size();
    }

    private void work(List<SQSEvent.SQSMessage> records) {
        Instant deadline = clock.instant().plus(settings.batchBudget());
        Supplier<Duration> remaining = () -> max(Duration.between(clock.instant(), deadline), Duration.ZERO);
        SQSBatchResponse response;
        try {
            response = function.apply(records, remaining);
        } catch (RuntimeException e) {
            // The one place that catches everything: a bug or an outage in one batch must not stop the
            // worker. As with Lambda, the whole batch stays and comes back after the visibility timeout.
            // Errors (out of memory and the like) are not caught: the process is no longer trustworthy.
            totals = totals.plus(0, records.size(), true);
            say("worker: batch of " + records.size() + " failed (" + describe(e) + "); its messages come back after"
                    + " the queue's visibility timeout" + totalsText());
            return;
        }
        SqsBatchOutcome outcome = SqsBatchOutcome.of(response, records);
        delete(outcome.done());
        totals = totals.plus(outcome.done().size(), outcome.retried().size(), false);
        outcome.problem().ifPresent(problem -> say("worker: " + problem));
        say("worker: batch of " + records.size() + ": " + outcome.done().size() + " done, " + outcome.retried().size()
                + " retrying later" + totalsText());
    }

    private void delete(List<SQSEvent.SQSMessage> done) {
        for (int from = 0; from < done.size(); from += DELETE_BATCH_LIMIT) {
            List<SQSEvent.SQSMessage> chunk = done.subList(from, Math.min(done.size(), from + DELETE_BATCH_LIMIT));
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                // Batch entry ids only need to be unique within the request; indexes are always valid ids.
                entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                        .receiptHandle(chunk.get(i).getReceiptHandle()).build());
            }
            try {
                for (BatchResultErrorEntry failed : sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries))
                        .failed()) {
                    String messageId = chunk.get(Integer.parseInt(failed.id())).getMessageId();
                    say("worker: could not delete message " + messageId + " (" + failed.code() + ": " + failed.message()
                            + "); it will be received again");
                }
            } catch (SdkException e) {
                // Not deleting is safe: the batch logic's records make a redelivery send nothing twice.
                say("worker: could not delete " + chunk.size() + " finished message(s) (" + describe(e)
                        + "); they will be received again");
            }
        }
    }

    /** The queue's ARN and region, asked once; warns when its visibility timeout is shorter than the budget. */
    private SqsMessages.Source source() {
        if (source == null) {
            Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                    .attributeNames(QueueAttributeName.QUEUE_ARN, QueueAttributeName.VISIBILITY_TIMEOUT)).attributes();
            String visibility = attributes.get(QueueAttributeName.VISIBILITY_TIMEOUT);
            if (visibility != null && Long.parseLong(visibility) < settings.batchBudget().toSeconds()) {
                say("worker: note: the queue's visibility timeout (" + visibility + " s) is shorter than the batch"
                        + " budget (" + settings.batchBudget().toSeconds() + " s): a slow batch's messages may be"
                        + " received twice");
            }
            source = SqsMessages.Source.of(attributes.get(QueueAttributeName.QUEUE_ARN),
                    sqs.serviceClientConfiguration().region().id());
        }
        return source;
    }

    /**
     * Sleeps in short steps so that {@code stop} is noticed; false when the worker should end.
     * Measured with {@link System#nanoTime()}, not the clock, which tests may hold still.
     */
    private static boolean pause(Duration length, AtomicBoolean stop) {
        long end = System.nanoTime() + length.toNanos();
        try {
            for (long left = length.toNanos(); !stop.get() && left > 0; left = end - System.nanoTime()) {
                Thread.sleep(Math.max(1, Math.min(250, left / 1_000_000)));
            }
            return !stop.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String totalsText() {
        Totals now = totals;
        return " (total " + now.done() + " done, " + now.retried() + " retrying)";
    }

    private void say(String line) {
        progress.println(line);
        progress.flush();
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
