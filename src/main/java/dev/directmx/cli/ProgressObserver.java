package dev.directmx.cli;

import dev.directmx.delivery.DeliveryReport;
import dev.directmx.lambda.BatchObserver;
import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * Prints one line per message as a batch is worked: the progress of {@code worker} and {@code invoke}.
 * The worker's is {@linkplain #limited limited} to {@link #WORKER_LINES_PER_SECOND} lines a
 * second, so that at hundreds of messages a second it does not spend its time printing; its batch
 * lines carry the counts. Thread-safe: the records of a batch, and the pollers' batches, report
 * concurrently.
 */
class ProgressObserver implements BatchObserver {

    /**
     * Message lines the worker prints per second: 10, as many as a human can follow; the rest of
     * that second's lines are counted and the count printed with the next line shown.
     */
    static final int WORKER_LINES_PER_SECOND = 10;

    private static final long SECOND_NANOS = 1_000_000_000L;

    private final PrintWriter progress;
    private final int linesPerSecond;
    private final LongSupplier nanoTime;
    private long windowStart;
    private int linesInWindow;
    private long notShown;

    /** Every line: for {@code invoke}, which works one batch. */
    ProgressObserver(PrintWriter progress) {
        this(progress, Integer.MAX_VALUE, System::nanoTime);
    }

    /**
     * @param linesPerSecond the most lines printed in a second
     * @param nanoTime a monotonic clock ({@code System::nanoTime}; tests pass their own)
     */
    ProgressObserver(PrintWriter progress, int linesPerSecond, LongSupplier nanoTime) {
        this.progress = progress;
        this.linesPerSecond = linesPerSecond;
        this.nanoTime = nanoTime;
        this.windowStart = nanoTime.getAsLong();
    }

    /** The worker's: at most {@link #WORKER_LINES_PER_SECOND} lines a second. */
    static ProgressObserver limited(PrintWriter progress) {
        return new ProgressObserver(progress, WORKER_LINES_PER_SECOND, System::nanoTime);
    }

    @Override
    public void delivered(String key, DeliveryReport report) {
        StringBuilder line = new StringBuilder("  " + key + ":");
        report.recipients().forEach(r -> line.append(' ').append(r.recipient()).append('=').append(r.status()));
        print(line.toString());
    }

    @Override
    public void rejected(String sqsMessageId, String error) {
        print("  record " + sqsMessageId + ": rejected to the dead-letter queue: " + error);
    }

    @Override
    public void requeued(String key, long delaySeconds, String why) {
        print("  " + key + ": back on the queue in " + delaySeconds + " s (" + why + ")");
    }

    private synchronized void print(String line) {
        long now = nanoTime.getAsLong();
        if (now - windowStart >= SECOND_NANOS) {
            windowStart = now;
            linesInWindow = 0;
        }
        if (linesInWindow >= linesPerSecond) {
            notShown++;
            return;
        }
        linesInWindow++;
        if (notShown > 0) {
            progress.println("  (" + notShown + " more message line(s) not shown)");
            notShown = 0;
        }
        progress.println(line);
    }
}
