package dev.directmx.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * When a message that was not fully delivered comes back, and when it stops coming back.
 *
 * <p>Exponential backoff from {@code minDelay}, doubling per attempt up to {@code maxDelay}, plus
 * up to half again at random so that a burst of deferrals does not return as a burst. SQS caps
 * a visibility timeout at 12 hours from receipt, so the default cap is 11.5 hours. Greylisting (a 4xx on the
 * first try) clears once the server has waited its delay, 5 minutes with postgrey's defaults,
 * so the first retry comes after 5 to 7.5 minutes: never too early, never an hour late.
 *
 * @param minDelay the first retry's delay before jitter; default 5 minutes (Postfix's
 *     {@code minimal_backoff_time}, and postgrey's greylisting delay)
 * @param maxDelay the longest delay; default 11.5 hours, as long as SQS allows
 * @param maxAge how long a message is retried before its undelivered recipients fail for good;
 *     default 5 days, as Postfix's {@code maximal_queue_lifetime}
 * @param permanentRetryWindow how long a recipient refused with 5xx keeps being retried, as the
 *     seed advises; default 24 hours
 */
public record RetryPolicy(Duration minDelay, Duration maxDelay, Duration maxAge, Duration permanentRetryWindow) {

    /**
     * The longest delay SQS can give: a visibility timeout may reach 12 hours counted from when
     * the message was received, not from the change, so half an hour is kept for the batching
     * window and the invocation that asks.
     */
    public static final Duration SQS_MAX_DELAY = Duration.ofMinutes(11 * 60 + 30);

    public RetryPolicy {
        Objects.requireNonNull(minDelay, "minDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(permanentRetryWindow, "permanentRetryWindow");
        if (minDelay.isNegative() || minDelay.isZero()) {
            throw new IllegalArgumentException("the minimum retry delay must be positive, got " + minDelay);
        }
        if (maxDelay.compareTo(minDelay) < 0) {
            throw new IllegalArgumentException("the maximum retry delay " + maxDelay + " is below the minimum " + minDelay);
        }
        if (maxDelay.compareTo(SQS_MAX_DELAY) > 0) {
            throw new IllegalArgumentException("the maximum retry delay " + maxDelay
                    + " exceeds 11h30m: SQS's visibility limit is 12 hours from receipt");
        }
        if (maxAge.compareTo(minDelay) < 0) {
            throw new IllegalArgumentException("the maximum age " + maxAge + " is shorter than the first retry delay");
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofMinutes(5), SQS_MAX_DELAY, Duration.ofDays(5), Duration.ofHours(24));
    }

    /** The delay without jitter before retry number {@code attempt} (1 for the first retry). */
    public Duration baseDelay(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 30));
        Duration delay = minDelay.multipliedBy(1L << doublings);
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }

    /**
     * The delay before retry number {@code attempt}: {@link #baseDelay} plus up to half of it
     * again, never more than {@code maxDelay}.
     */
    public Duration delay(int attempt, RandomGenerator random) {
        long base = baseDelay(attempt).toMillis();
        long jitter = base / 2 == 0 ? 0 : random.nextLong(base / 2 + 1);
        return Duration.ofMillis(Math.min(base + jitter, maxDelay.toMillis()));
    }

    /**
     * How many deliveries a message can see before {@code maxAge} passes if every retry takes
     * the shortest delay this policy can produce (no jitter). The dead-letter queue's
     * {@code maxReceiveCount} must exceed it, or SQS would move a message there while
     * directmx still means to retry it.
     */
    public int maxDeliveries() {
        long elapsed = 0;
        int deliveries = 1;
        while (elapsed < maxAge.toMillis()) {
            elapsed += baseDelay(deliveries).toMillis();
            deliveries++;
        }
        return deliveries;
    }
}
