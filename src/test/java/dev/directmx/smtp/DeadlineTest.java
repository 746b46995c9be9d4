package dev.directmx.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void boundIsTheSmallerOfStageTimeoutAndTimeLeft() {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        Deadline deadline = Deadline.after(Duration.ofSeconds(30), clock);

        assertThat(deadline.bound(Duration.ofMinutes(10))).isEqualTo(Duration.ofSeconds(30));
        assertThat(deadline.bound(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aPassedDeadlineLeavesNothing() {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        Deadline deadline = new Deadline(Instant.parse("2025-12-31T23:59:00Z"), clock);

        assertThat(deadline.expired()).isTrue();
        assertThat(deadline.bound(Duration.ofSeconds(5))).isZero();
    }

    @Test
    void rfc5321TimeoutsAreCappedButKeepTheirOrder() {
        SmtpTimeouts rfc = SmtpTimeouts.rfc5321();
        // RFC 5321 §4.5.3.2: 5 min greeting, 2 min DATA initiation, 10 min final dot.
        assertThat(rfc.greeting()).isEqualTo(Duration.ofMinutes(5));
        assertThat(rfc.dataInit()).isEqualTo(Duration.ofMinutes(2));
        assertThat(rfc.dataTermination()).isEqualTo(Duration.ofMinutes(10));

        SmtpTimeouts capped = rfc.cappedAt(Duration.ofSeconds(45));
        assertThat(capped.dataTermination()).isEqualTo(Duration.ofSeconds(45));
        assertThat(capped.connect()).isEqualTo(Duration.ofSeconds(30));
        assertThat(SmtpTimeouts.defaults().connect()).isEqualTo(Duration.ofSeconds(10));
    }
}
