package dev.directmx.lambda;

import java.io.PrintWriter;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The {@link SqsWorker}'s batch lines: while batches are few, one line per batch, as a human reads
 * them; above {@link #BATCH_LINES_PER_SECOND} in a second, the rest of that second's batches are
 * summed into one line when the second ends, so that at hundreds of messages per second the
 * worker does not spend its time printing. Problems are never summed: they are printed at once.
 *
 * <p>Lifecycle: one instance per worker; thread-safe, since the pollers report concurrently. The
 * worker calls {@link #tick} about once a second and {@link #flush} when it stops, so that a
 * summed second is printed even when no batch follows it.
 */
final class WorkerProgress {

    /**
     * Batch lines printed in full per second: 2, one every half second at most, which a human
     * still reads line by line; beyond that the detail is noise and its printing costs CPU.
     */
    static final int BATCH_LINES_PER_SECOND = 2;

    private static final long SECOND_NANOS = 1_000_000_000L;

    private final PrintWriter out;
    private final LongSupplier nanoTime;
    private long windowStart;
    private int linesInWindow;
    private int summedBatches;
    private long summedMessages;
    private long summedDone;
    private long summedRetried;
    private long summedCrashed;
    private SqsWorker.Totals latest = SqsWorker.Totals.NONE;

    /**
     * @param out where lines go; flushed after each
     * @param nanoTime a monotonic clock ({@code System::nanoTime}; tests pass their own)
     */
    WorkerProgress(PrintWriter out, LongSupplier nanoTime) {
        this.out = Objects.requireNonNull(out, "out");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.windowStart = nanoTime.getAsLong();
    }

    /** A batch whose function returned: {@code done} records deleted, {@code retried} left on the queue. */
    synchronized void batch(int size, int done, int retried, SqsWorker.Totals totals) {
        latest = totals;
        if (admit()) {
            say("worker: batch of " + size + ": " + done + " done, " + retried + " retrying later" + totalsText(totals));
        } else {
            sum(size, done, retried, false);
        }
    }

    /** A batch whose function threw; {@code why} names the exception. */
    synchronized void crashed(int size, String why, SqsWorker.Totals totals) {
        latest = totals;
        if (admit()) {
            say("worker: batch of " + size + " failed (" + why + "); its messages come back after the queue's"
                    + " visibility timeout" + totalsText(totals));
        } else {
            sum(size, 0, size, true);
        }
    }

    /** A line that needs attention (a delete that failed, a receive that failed): printed at once. */
    synchronized void problem(String line) {
        say(line);
    }

    /** Ends the current second if it is over, printing its summed batches. */
    synchronized void tick() {
        if (nanoTime.getAsLong() - windowStart >= SECOND_NANOS) {
            flush();
            windowStart = nanoTime.getAsLong();
            linesInWindow = 0;
        }
    }

    /** Prints the summed batches of the current second, if any. */
    synchronized void flush() {
        if (summedBatches == 0) {
            return;
        }
        String crashed = summedCrashed == 0 ? "" : " (" + summedCrashed + " failed whole)";
        say("worker: " + summedBatches + " more batch(es) of " + summedMessages + " message(s) in the last second: "
                + summedDone + " done, " + summedRetried + " retrying later" + crashed + totalsText(latest));
        summedBatches = 0;
        summedMessages = 0;
        summedDone = 0;
        summedRetried = 0;
        summedCrashed = 0;
    }

    /** True when this second may still print a batch line. */
    private boolean admit() {
        tick();
        return linesInWindow++ < BATCH_LINES_PER_SECOND;
    }

    private void sum(int size, int done, int retried, boolean crashed) {
        summedBatches++;
        summedMessages += size;
        summedDone += done;
        summedRetried += retried;
        summedCrashed += crashed ? 1 : 0;
    }

    private static String totalsText(SqsWorker.Totals totals) {
        return " (total " + totals.done() + " done, " + totals.retried() + " retrying)";
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }
}
