package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link WorkerProgress} on a clock the test moves: batch lines at low rates, one summed line a second at high. */
class WorkerProgressTest {

    private final StringWriter out = new StringWriter();
    private final AtomicLong nanos = new AtomicLong();
    private final WorkerProgress progress = new WorkerProgress(new PrintWriter(out), nanos::get);

    @Test
    void fewBatchesAreEachPrintedInFull() {
        progress.batch(3, 2, 1, new SqsWorker.Totals(1, 2, 1, 0));
        nanos.addAndGet(2_000_000_000L);
        progress.batch(1, 1, 0, new SqsWorker.Totals(2, 3, 1, 0));
        progress.tick();
        progress.flush();

        assertThat(out.toString()).isEqualTo("""
                worker: batch of 3: 2 done, 1 retrying later (total 2 done, 1 retrying)
                worker: batch of 1: 1 done, 0 retrying later (total 3 done, 1 retrying)
                """);
    }

    @Test
    void batchesBeyondTheSecondsAllowanceAreSummedWhenTheSecondEnds() {
        long done = 0;
        for (int i = 1; i <= 5; i++) {
            done += 10;
            progress.batch(10, 10, 0, new SqsWorker.Totals(i, done, 0, 0));
        }
        progress.crashed(10, "IllegalStateException", new SqsWorker.Totals(6, done, 10, 1));
        progress.tick();
        String withinTheSecond = out.toString();
        nanos.addAndGet(1_000_000_000L);
        progress.tick();

        assertThat(withinTheSecond.lines()).hasSize(WorkerProgress.BATCH_LINES_PER_SECOND);
        assertThat(out.toString().lines().toList().getLast()).isEqualTo("worker: 4 more batch(es) of 40 message(s) in"
                + " the last second: 30 done, 10 retrying later (1 failed whole) (total 50 done, 10 retrying)");
    }

    @Test
    void problemsAreNeverSummed() {
        for (int i = 0; i < 5; i++) {
            progress.problem("worker: could not delete message m-" + i);
        }

        assertThat(out.toString().lines()).hasSize(5);
    }

    @Test
    void flushPrintsWhatIsSummedWithoutWaitingForTheSecond() {
        for (int i = 1; i <= 3; i++) {
            progress.batch(1, 1, 0, new SqsWorker.Totals(i, i, 0, 0));
        }
        progress.flush();
        progress.flush();

        assertThat(out.toString().lines().toList()).hasSize(3).last().asString()
                .startsWith("worker: 1 more batch(es) of 1 message(s) in the last second: 1 done");
    }
}
