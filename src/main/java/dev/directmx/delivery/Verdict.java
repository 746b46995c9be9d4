package dev.directmx.delivery;

import dev.directmx.smtp.SmtpCodes;
import dev.directmx.smtp.SmtpReply;
import java.util.Set;

/**
 * What a reply means for a recipient: accepted, try the next route now, or decided for this run.
 * "Try the next route" and "give up for now" are different decisions (OkHttp's
 * {@code isRecoverable} versus {@code canRetry}); this is the one place that tells them apart.
 */
enum Verdict {
    DELIVERED,
    /** This server will not take the message now; another MX may (Postfix does the same). */
    NEXT_ROUTE,
    /** A 4xx about this recipient or message: retry in a later run, not on another host now. */
    DEFERRED,
    /** A server's 5xx: failed for this run, retried later within the 5xx window (the seed). */
    FAILED_RETRYABLE,
    /** Final: directmx's own rules, which no retry changes. */
    FAILED_FINAL;

    /** Commands whose refusal says "this host, not this message". */
    private static final Set<String> SESSION_COMMANDS = Set.of("connect", "EHLO", "HELO", "STARTTLS");

    static Verdict of(SmtpReply reply) {
        if (reply.isPositive()) {
            return DELIVERED;
        }
        // RFC 5321 §3.8: 421 means the server is shutting the channel; another host may be fine.
        if (reply.code() == SmtpCodes.C421_SERVICE_UNAVAILABLE) {
            return NEXT_ROUTE;
        }
        // A host that refuses the greeting or EHLO is as good as a dead one (Postfix
        // smtp_skip_5xx_greeting); a 4xx to MAIL FROM is a host-level deferral too.
        if (SESSION_COMMANDS.contains(reply.command()) || (reply.command().equals("MAIL") && reply.isTransient())) {
            return reply.local() && reply.isPermanent() ? FAILED_FINAL : NEXT_ROUTE;
        }
        if (reply.isTransient()) {
            return DEFERRED;
        }
        return reply.local() ? FAILED_FINAL : FAILED_RETRYABLE;
    }
}
