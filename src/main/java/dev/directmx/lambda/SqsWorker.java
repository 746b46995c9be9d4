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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
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
 * <p>As Lambda runs several invocations at once, the worker runs {@link Settings#pollers()}
 * pollers, each on its own virtual thread doing receive, work, delete; they share the function
 * (which must be thread-safe, as {@link BatchProcessor} is) and the client.
 *
 * <p>Lifecycle: one instance per queue, driven through {@link #run} or {@link #runUntilEmpty},
 * called once; {@link #totals()} may be read from any thread. It never closes the client.
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
     * @param pollers batches worked at once, each by its own poller (1..{@value #MAX_POLLERS}). The
     *     default is {@value #DEFAULT_POLLERS}, the concurrent batches Lambda starts an SQS event
     *     source mapping with: with batches of 10, up to 50 messages are in flight, so the worker is
     *     not held by each batch's slowest message and two SQS round trips, as one poller is.
     */
    public record Settings(Duration waitTime, int maxMessages, Duration batchBudget, int pollers) {

        /** Lambda's starting concurrency for an SQS event source mapping: five batches at once. */
        public static final int DEFAULT_POLLERS = 5;

        /**
         * The most pollers: 64. Each holds up to 10 messages and DIRECTMX_CONCURRENCY SMTP
         * sessions; beyond this one host's sockets and the store's capacity run out first.
         */
        public static final int MAX_POLLERS = 64;

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
            if (pollers < 1 || pollers > MAX_POLLERS) {
                throw new IllegalArgumentException("pollers must be 1.." + MAX_POLLERS + ", not " + pollers);
            }
        }

        /** One poller: a batch at a time. */
        public Settings(Duration waitTime, int maxMessages, Duration batchBudget) {
            this(waitTime, maxMessages, batchBudget, 1);
        }

        /** 20 s wait, 10 records, 5 minutes per batch, {@value #DEFAULT_POLLERS} pollers. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(20), 10, Duration.ofMinutes(5), DEFAULT_POLLERS);
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
    private final WorkerProgress progress;
    private final Clock clock;
    private SqsMessages.Source source; // looked up on the first receive; guarded by this
    private final AtomicReference<Totals> totals = new AtomicReference<>(Totals.NONE);
    /** Batches some poller is working right now, and batches finished: what {@link #runUntilEmpty} waits on. */
    private final AtomicInteger inHand = new AtomicInteger();
    private final AtomicLong finished = new AtomicLong();

    /**
     * @param sqs the client, owned by the caller
     * @param queueUrl the queue to poll
     * @param function the batch logic
     * @param settings waits, batch size and budget
     * @param progress where batches (one line each, or one line per second when there are many; see
     *     {@link WorkerProgress}) and every problem are written
     * @param clock measures each batch's remaining time
     */
    public SqsWorker(SqsClient sqs, String queueUrl, BatchFunction function, Settings settings, PrintWriter progress,
                     Clock clock) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        this.function = Objects.requireNonNull(function, "function");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.progress = new WorkerProgress(Objects.requireNonNull(progress, "progress"), System::nanoTime);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Works batches until every poller has seen two receives in a row find nothing visible while
     * no batch was in hand anywhere: for the demo, tests and draining a queue. A poller does not
     * stop while another works a batch, since that batch may put records straight back. Each
     * receive waits {@link Settings#waitTime()} but at most {@link #EMPTY_CHECK_WAIT}; a zero wait
     * suits ElasticMQ, while real SQS may then answer from a sample of its servers. Records made
     * invisible by the function are not waited for. Ends, because each message is received at
     * most the redrive policy's {@code maxReceiveCount} times. If the calling thread is
     * interrupted, the pollers stop after the batches in hand.
     *
     * @throws SdkException when SQS cannot be reached or refuses a receive; the other pollers
     *     finish their batches in hand first
     */
    public Totals runUntilEmpty() {
        Duration wait = min(settings.waitTime(), EMPTY_CHECK_WAIT);
        AtomicBoolean halt = new AtomicBoolean();
        runPollers(() -> pollUntilEmpty(wait, halt), halt);
        return totals();
    }

    /**
     * Works batches until {@code stop} is set (by a shutdown hook, say) or the calling thread is
     * interrupted. Each poller reads the flag between receives, so stopping takes up to {@link
     * Settings#waitTime()} plus the batches in hand; a shutdown hook should set it and then wait
     * for this method to return, so that every batch in hand is finished and deleted. A receive
     * that fails (SQS unreachable, the queue missing) is reported and tried again after a pause
     * that doubles up to {@link #MAX_RECEIVE_BACKOFF}.
     */
    public Totals run(AtomicBoolean stop) {
        AtomicBoolean halt = new AtomicBoolean();
        runPollers(() -> pollUntilStopped(() -> stop.get() || halt.get()), halt);
        return totals();
    }

    /**
     * Runs {@link Settings#pollers()} copies of {@code poller} and a progress ticker, and returns
     * when every poller has. An interrupt of the calling thread sets {@code halt} and still waits,
     * so that batches in hand are finished and deleted. A poller that throws sets {@code halt}
     * too, and its exception is rethrown once the others have ended.
     */
    private void runPollers(Runnable poller, AtomicBoolean halt) {
        Thread ticker = Thread.ofVirtual().name("directmx-worker-progress").start(this::tickEverySecond);
        boolean interrupted = false;
        RuntimeException failure = null;
        try (ExecutorService pollers = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("directmx-poller-", 1).factory())) {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < settings.pollers(); i++) {
                running.add(pollers.submit(() -> {
                    try {
                        poller.run();
                    } catch (Throwable e) {
                        halt.set(true);
                        throw e;
                    }
                }));
            }
            for (Future<?> one : running) {
                while (true) {
                    try {
                        one.get();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                        halt.set(true);
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof Error error) {
                            throw error;
                        }
                        if (failure == null) {
                            failure = (RuntimeException) e.getCause();
                        }
                        break;
                    }
                }
            }
        } finally {
            ticker.interrupt();
            progress.flush();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** One poller of {@link #runUntilEmpty}. */
    private void pollUntilEmpty(Duration wait, AtomicBoolean halt) {
        int quietInARow = 0;
        while (quietInARow < 2 && !halt.get()) {
            // An empty receive counts only if no batch was in hand anywhere and none ended meanwhile:
            // such a batch may have put records back that this receive could not yet see.
            long finishedBefore = finished.get();
            boolean idleBefore = inHand.get() == 0;
            int received = pollOnce(wait);
            boolean quiet = received == 0 && idleBefore && inHand.get() == 0 && finished.get() == finishedBefore;
            quietInARow = quiet ? quietInARow + 1 : 0;
        }
    }

    /** One poller of {@link #run}. */
    private void pollUntilStopped(BooleanSupplier stop) {
        Duration pause = Duration.ZERO;
        while (!stop.getAsBoolean()) {
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
    }

    /** Prints summed progress about once a second until interrupted. */
    private void tickEverySecond() {
        try {
            while (true) {
                Thread.sleep(1000);
                progress.tick();
            }
        } catch (InterruptedException e) {
            // The pollers have ended; runPollers flushes what is left.
        }
    }

    /** What the worker has done so far. */
    public Totals totals() {
        return totals.get();
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
            inHand.incrementAndGet();
            try {
                work(SqsMessages.toLambda(messages, from));
            } finally {
                // Counted before the batch leaves inHand, so that a poller that sees inHand at zero
                // also sees that a batch ended.
                finished.incrementAndGet();
                inHand.decrementAndGet();
            }
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
            progress.crashed(records.size(), describe(e), totals.updateAndGet(t -> t.plus(0, records.size(), true)));
            return;
        }
        SqsBatchOutcome outcome = SqsBatchOutcome.of(response, records);
        delete(outcome.done());
        Totals now = totals.updateAndGet(t -> t.plus(outcome.done().size(), outcome.retried().size(), false));
        outcome.problem().ifPresent(problem -> say("worker: " + problem));
        progress.batch(records.size(), outcome.done().size(), outcome.retried().size(), now);
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
    private synchronized SqsMessages.Source source() {
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
    private static boolean pause(Duration length, BooleanSupplier stop) {
        long end = System.nanoTime() + length.toNanos();
        try {
            for (long left = length.toNanos(); !stop.getAsBoolean() && left > 0; left = end - System.nanoTime()) {
                Thread.sleep(Math.max(1, Math.min(250, left / 1_000_000)));
            }
            return !stop.getAsBoolean();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void say(String line) {
        progress.problem(line);
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
