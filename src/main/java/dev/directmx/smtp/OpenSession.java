package dev.directmx.smtp;

import java.time.Duration;
import java.time.Instant;

/**
 * An SMTP session ready for a transaction: the connection after the greeting, EHLO and STARTTLS,
 * with what the server announced. This is what the connection pool keeps between messages.
 *
 * <p>Lifecycle: built by {@link SessionStart} for one message; carries that message's
 * transaction; then either goes back to the {@link ConnectionPool} (idle, no deadline armed) or
 * is closed. Taken from the pool, it is {@link #resume resumed} for the next message. Used by one
 * thread at a time; the pool hands it over under its lock.
 */
final class OpenSession {

    /**
     * How long a polite QUIT waits for the server's 221 before the socket is closed anyway. The
     * outcome is already known, so there is nothing to wait for beyond courtesy.
     */
    static final Duration QUIT_WAIT = Duration.ofSeconds(5);

    private final SmtpConnection connection;
    private final SmtpTarget target;
    private final Capabilities capabilities;
    private final SmtpTimeouts timeouts;
    private final Instant opened;
    private int transactions;
    private Instant idleSince;

    OpenSession(SmtpConnection connection, SmtpTarget target, Capabilities capabilities, SmtpTimeouts timeouts,
            Instant opened) {
        this.connection = connection;
        this.target = target;
        this.capabilities = capabilities;
        this.timeouts = timeouts;
        this.opened = opened;
        this.idleSince = opened;
    }

    SmtpConnection connection() {
        return connection;
    }

    Capabilities capabilities() {
        return capabilities;
    }

    TlsInfo tls() {
        return connection.tls();
    }

    /** How many transactions have been started on this session, the current one included. */
    int transactions() {
        return transactions;
    }

    Instant opened() {
        return opened;
    }

    Instant idleSince() {
        return idleSince;
    }

    /** Counts the transaction about to start. */
    void beginTransaction() {
        transactions++;
    }

    /**
     * Takes the session out of the pool for the next message: its deadline now bounds every wait,
     * and its transcript opens with the line that says the connection is reused, in place of the
     * greeting and EHLO it did not need.
     */
    void resume(Deadline deadline, Transcript transcript) {
        connection.lend(deadline, transcript);
        transcript.event("reusing connection to " + target.hostName() + " [" + target.address().getAddress().getHostAddress()
                + "]:" + target.address().getPort() + " (" + (tls() == null ? "no TLS" : tls().protocol()) + "), transaction "
                + (transactions + 1));
    }

    /**
     * Ends the current transaction's loan of the connection.
     *
     * @return whether the session may carry another transaction
     */
    boolean park(Instant now) {
        idleSince = now;
        return connection.endLoan();
    }

    /**
     * Says QUIT (RFC 5321 §4.1.1.10) and closes, waiting at most {@link #QUIT_WAIT} (and never past
     * the current message's deadline) for the reply; the outcome is already known, so failures
     * change nothing.
     */
    void quit() {
        try {
            if (connection.healthy()) {
                connection.send("QUIT");
                connection.flush("QUIT");
                Duration wait = timeouts.command().compareTo(QUIT_WAIT) < 0 ? timeouts.command() : QUIT_WAIT;
                connection.readReply("QUIT", wait);
            }
        } catch (SmtpIoException ignored) {
            // Already recorded in the transcript by the connection.
        } finally {
            connection.close();
        }
    }

    /**
     * Says QUIT on an idle session that no message owns any more, with a throwaway transcript and
     * its own short deadline.
     */
    void quitIdle(java.time.Clock clock) {
        connection.lend(Deadline.after(QUIT_WAIT, clock), new Transcript());
        quit();
    }

    /** Closes without a word: the connection is broken or its state unknown. */
    void abandon() {
        connection.close();
    }

    @Override
    public String toString() {
        return target.hostName() + " " + target.address();
    }
}
