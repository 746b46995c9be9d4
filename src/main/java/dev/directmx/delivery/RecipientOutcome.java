package dev.directmx.delivery;

import dev.directmx.smtp.SmtpReply;

/**
 * How delivery ended for one recipient in one delivery run. Every outcome carries the reply that
 * decided it (from the server, or {@link SmtpReply#local local} for DNS results, connection
 * failures and rules directmx enforces), the route it came from when there was one, and the
 * number of sessions that offered this recipient.
 */
public sealed interface RecipientOutcome {

    /** The recipient's address as written in the message. */
    String recipient();

    SmtpReply reply();

    /** The route of the deciding session, or {@code null} when no session decided (DNS, deadline). */
    RouteUsed route();

    int attempts();

    /** Lower-case status name: {@code delivered}, {@code deferred}, {@code failed}. */
    String status();

    /** Whether another delivery run later may still succeed. */
    boolean retryable();

    /** The server accepted the message for this recipient (2xx after the data). */
    record Delivered(String recipient, SmtpReply reply, RouteUsed route, int attempts) implements RecipientOutcome {
        @Override
        public String status() {
            return "delivered";
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }

    /** Not delivered now, worth trying later: 4xx, connection failures, timeouts, transient DNS. */
    record Deferred(String recipient, SmtpReply reply, RouteUsed route, int attempts) implements RecipientOutcome {
        @Override
        public String status() {
            return "deferred";
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }

    /**
     * Refused. A server's 5xx is {@code retryable}: the seed advises retrying "permanent" errors
     * for a while, since a full mailbox or a policy block often clears. Null MX, NXDOMAIN and
     * rules directmx enforces are final.
     */
    record Failed(String recipient, SmtpReply reply, RouteUsed route, boolean retryable, int attempts)
            implements RecipientOutcome {
        @Override
        public String status() {
            return "failed";
        }
    }
}
