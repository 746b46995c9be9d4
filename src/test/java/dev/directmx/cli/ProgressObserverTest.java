package dev.directmx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link ProgressObserver}'s limit on message lines, on a clock the test moves. */
class ProgressObserverTest {

    private final StringWriter out = new StringWriter();
    private final AtomicLong nanos = new AtomicLong();

    @Test
    void linesBeyondTheLimitAreCountedAndTheCountShownWithTheNextLine() {
        ProgressObserver observer = new ProgressObserver(new PrintWriter(out, true), 2, nanos::get);

        for (int i = 0; i < 5; i++) {
            observer.requeued("m-" + i, 30, "greylisted");
        }
        nanos.addAndGet(1_000_000_000L);
        observer.requeued("m-5", 30, "greylisted");

        assertThat(out.toString()).isEqualTo("""
                  m-0: back on the queue in 30 s (greylisted)
                  m-1: back on the queue in 30 s (greylisted)
                  (3 more message line(s) not shown)
                  m-5: back on the queue in 30 s (greylisted)
                """);
    }

    @Test
    void invokePrintsEveryLine() {
        ProgressObserver observer = new ProgressObserver(new PrintWriter(out, true));

        for (int i = 0; i < 50; i++) {
            observer.rejected("r-" + i, "no recipients");
        }

        assertThat(out.toString().lines()).hasSize(50);
    }
}
