package dev.directmx.lambda;

import java.time.Duration;
import java.util.Objects;

/**
 * How long one call to an AWS API made while the function initialises may take. Keys are read
 * during Lambda's init phase, which has 10 seconds in all; an unanswered call must fail within
 * that, as a clear "transient" message, rather than time the whole init out.
 *
 * @param connectTimeout how long to wait for a TCP (and TLS) connection; default 2 seconds,
 *     which an AWS endpoint in the same region meets many times over
 * @param readTimeout how long to wait for each read of the answer; default 5 seconds
 * @param callTimeout the bound on the whole call, retries included; default 5 seconds, half of
 *     the init phase, so that one stalled service leaves time for the message to be written
 * @param retryDelay the pause before the one retry of a throttled, failed (5xx) or dropped
 *     call; default 200 milliseconds, jittered by up to half so that environments started
 *     together do not retry together
 */
public record AwsCallLimits(Duration connectTimeout, Duration readTimeout, Duration callTimeout,
        Duration retryDelay) {

    /** The defaults described above. */
    public static final AwsCallLimits DEFAULT = new AwsCallLimits(Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofMillis(200));

    /** @throws IllegalArgumentException for a timeout that is not positive or a negative delay */
    public AwsCallLimits {
        positive(connectTimeout, "connectTimeout");
        positive(readTimeout, "readTimeout");
        positive(callTimeout, "callTimeout");
        Objects.requireNonNull(retryDelay, "retryDelay");
        if (retryDelay.isNegative()) {
            throw new IllegalArgumentException("retryDelay must not be negative: " + retryDelay);
        }
    }

    private static void positive(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + timeout);
        }
    }
}
