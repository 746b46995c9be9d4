package dev.directmx.smtp;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link SmtpClient} keeps connections open between transactions to the same destination,
 * as Postfix's connection cache does: after a transaction ends cleanly the session (greeted,
 * EHLO'd, secured) waits in a pool, and the next message to the same destination skips the
 * connect, greeting, EHLO and TLS handshake. Every limit here is a named setting with its reason;
 * {@link #defaults()} holds them in one place.
 *
 * @param idleLimit how long a session may wait in the pool for its next transaction; default 5 s.
 *     Postfix uses 2 s ({@code smtp_connection_cache_time_limit}) because its queue manager feeds
 *     it continuously. A Lambda batch or a worker's next receive can leave a gap of a few seconds
 *     between messages to one domain, so 5 s keeps those sessions warm, while staying below the
 *     10 s that a stressed Postfix server ({@code smtpd_timeout} under stress) or a busy MX gives
 *     an idle client, so that a pooled session is rarely found dead. Checked when a session is
 *     taken from the pool, so a session frozen with a Lambda environment is dropped on thaw.
 * @param ageLimit how long after it was opened a session may still start a transaction; default
 *     300 s, Postfix's {@code smtp_connection_reuse_time_limit}: a changed MX record or a server
 *     taken out of rotation is noticed within five minutes, and no server sees one client session
 *     without end
 * @param transactionsPerConnection how many transactions one session may carry before it is
 *     closed; default 100. It bounds how far one session's state can follow us (a server that
 *     slows down or counts messages per connection), and a server that ends the session at its
 *     own lower limit with 421 costs one retry on a new connection, nothing more
 * @param connectionsPerDestination how many sessions to one destination may be open at once,
 *     in use or idle; default 20, Postfix's {@code default_destination_concurrency_limit}, so that
 *     a batch delivered in parallel never opens more connections to one MX than Postfix would.
 *     A caller over the cap waits for a session to come back, never past its message deadline
 */
public record ConnectionReuse(Duration idleLimit, Duration ageLimit, int transactionsPerConnection,
        int connectionsPerDestination) {

    public ConnectionReuse {
        Objects.requireNonNull(idleLimit, "idleLimit");
        Objects.requireNonNull(ageLimit, "ageLimit");
        if (idleLimit.isNegative()) {
            throw new IllegalArgumentException("connection idle limit must not be negative, got " + idleLimit);
        }
        if (ageLimit.isNegative()) {
            throw new IllegalArgumentException("connection age limit must not be negative, got " + ageLimit);
        }
        if (transactionsPerConnection < 1) {
            throw new IllegalArgumentException("transactions per connection must be at least 1, got "
                    + transactionsPerConnection);
        }
        if (connectionsPerDestination < 1) {
            throw new IllegalArgumentException("connections per destination must be at least 1, got "
                    + connectionsPerDestination);
        }
    }

    /** The defaults, each explained above: 5 s idle, 300 s age, 100 transactions, 20 connections. */
    public static ConnectionReuse defaults() {
        return new ConnectionReuse(Duration.ofSeconds(5), Duration.ofSeconds(300), 100, 20);
    }

    /**
     * One transaction per connection, as before reuse existed; the cap on connections per
     * destination still applies.
     */
    public static ConnectionReuse disabled() {
        return new ConnectionReuse(Duration.ZERO, Duration.ZERO, 1, defaults().connectionsPerDestination());
    }

    /** Whether a session may go back to the pool at all. */
    boolean enabled() {
        return transactionsPerConnection > 1 && !idleLimit.isZero() && !ageLimit.isZero();
    }

    public ConnectionReuse withIdleLimit(Duration value) {
        return new ConnectionReuse(value, ageLimit, transactionsPerConnection, connectionsPerDestination);
    }

    public ConnectionReuse withConnectionsPerDestination(int value) {
        return new ConnectionReuse(idleLimit, ageLimit, transactionsPerConnection, value);
    }
}
