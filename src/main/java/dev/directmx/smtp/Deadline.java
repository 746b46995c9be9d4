package dev.directmx.smtp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The moment by which a whole message's delivery must be over, whatever fallback is running.
 * Every blocking step asks it for the time left and uses the smaller of that and its own
 * stage timeout. Immutable; shared by all attempts for one message.
 */
public record Deadline(Instant end, Clock clock) {

    public static Deadline after(Duration budget, Clock clock) {
        return new Deadline(clock.instant().plus(budget), clock);
    }

    /** Time left, never negative. */
    public Duration remaining() {
        Duration left = Duration.between(clock.instant(), end);
        return left.isNegative() ? Duration.ZERO : left;
    }

    public boolean expired() {
        return remaining().isZero();
    }

    /** The smaller of {@code stageTimeout} and the time left; zero when the deadline has passed. */
    public Duration bound(Duration stageTimeout) {
        Duration left = remaining();
        return stageTimeout.compareTo(left) < 0 ? stageTimeout : left;
    }
}
