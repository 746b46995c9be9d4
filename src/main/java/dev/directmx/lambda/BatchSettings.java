package dev.directmx.lambda;

import dev.directmx.delivery.RetryPolicy;
import java.time.Duration;

/**
 * How a batch of queue records is worked.
 *
 * @param retry the backoff schedule, maximum age and 5xx retry window
 * @param concurrency records delivered at once
 * @param timeReserve time left unused at the end of an invocation, for recording outcomes and
 *     changing visibilities; no delivery starts when less than this (plus a minimum of work)
 *     remains
 * @param deadline one message's delivery budget when time is plentiful
 * @param recordTtl how long outcome records are kept
 * @param shortRequeue the delay for records put back unworked (time ran out, another worker
 *     holds the recipients, the store was unreachable); default 30 s
 */
public record BatchSettings(RetryPolicy retry, int concurrency, Duration timeReserve, Duration deadline,
        Duration recordTtl, Duration shortRequeue) {

    /** Less than this left for a delivery and it is not worth starting: requeue instead. */
    public static final Duration MINIMUM_WORK = Duration.ofSeconds(5);

    public static BatchSettings from(DirectmxConfig config) {
        return new BatchSettings(config.retry(), config.concurrency(), config.timeReserve(),
                config.delivery().deadline(), config.recordTtl(), Duration.ofSeconds(30));
    }
}
