package dev.directmx.smtp;

import java.time.Duration;
import java.util.Objects;

/**
 * How long each stage of an SMTP session may take. The defaults are RFC 5321 §4.5.3.2's minimum
 * client timeouts; {@link #cappedAt(Duration)} shortens them all, because a Lambda invocation or a
 * command-line run cannot wait ten minutes for a final dot. The message {@link Deadline} bounds
 * them further.
 *
 * @param connect TCP connect; RFC 5321 names none, Postfix uses 30 s ({@code smtp_connect_timeout})
 * @param greeting the 220 greeting: RFC 5321 §4.5.3.2.1, 5 minutes
 * @param command EHLO, HELO, STARTTLS, RSET, QUIT and TLS handshakes: 5 minutes as for MAIL
 * @param mail MAIL FROM: RFC 5321 §4.5.3.2.2, 5 minutes
 * @param rcpt RCPT TO: RFC 5321 §4.5.3.2.3, 5 minutes
 * @param dataInit the 354 after DATA: RFC 5321 §4.5.3.2.4, 2 minutes
 * @param dataBlock each block of the body sent: RFC 5321 §4.5.3.2.5, 3 minutes
 * @param dataTermination the reply after the final dot or BDAT LAST: RFC 5321 §4.5.3.2.6, 10 minutes
 */
public record SmtpTimeouts(
        Duration connect,
        Duration greeting,
        Duration command,
        Duration mail,
        Duration rcpt,
        Duration dataInit,
        Duration dataBlock,
        Duration dataTermination) {

    public SmtpTimeouts {
        for (Duration d : new Duration[] {connect, greeting, command, mail, rcpt, dataInit, dataBlock, dataTermination}) {
            Objects.requireNonNull(d, "timeout");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("SMTP timeouts must be positive, got " + d);
            }
        }
    }

    /** RFC 5321 §4.5.3.2's values, with a 30 s connect timeout. */
    public static SmtpTimeouts rfc5321() {
        return new SmtpTimeouts(
                Duration.ofSeconds(30),
                Duration.ofMinutes(5),
                Duration.ofMinutes(5),
                Duration.ofMinutes(5),
                Duration.ofMinutes(5),
                Duration.ofMinutes(2),
                Duration.ofMinutes(3),
                Duration.ofMinutes(10));
    }

    /** directmx's defaults: RFC 5321's values capped at 60 s, connect at 10 s. */
    public static SmtpTimeouts defaults() {
        return rfc5321().cappedAt(Duration.ofSeconds(60)).withConnect(Duration.ofSeconds(10));
    }

    /** Every stage limited to at most {@code cap}. */
    public SmtpTimeouts cappedAt(Duration cap) {
        return new SmtpTimeouts(min(connect, cap), min(greeting, cap), min(command, cap), min(mail, cap),
                min(rcpt, cap), min(dataInit, cap), min(dataBlock, cap), min(dataTermination, cap));
    }

    public SmtpTimeouts withConnect(Duration value) {
        return new SmtpTimeouts(value, greeting, command, mail, rcpt, dataInit, dataBlock, dataTermination);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
