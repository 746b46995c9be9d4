package dev.directmx.smtp;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * directmx's SMTP client: one transaction per call, on a session it opens (greeting, EHLO,
 * STARTTLS) or on one it kept open from an earlier transaction to the same destination. It speaks
 * RFC 5321 with the extensions an MX delivery needs: STARTTLS (RFC 3207), PIPELINING (RFC 2920),
 * 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), SIZE (RFC 1870), CHUNKING (RFC 3030) and enhanced
 * status codes (RFC 2034).
 *
 * <p>Sessions are reused as {@link ConnectionReuse} says, and never more of them to one
 * destination are open at once than its cap. A reused session that proves dead before the server
 * accepted anything is replaced by a new one for the same transaction, once; once message octets
 * are on the wire, a failure is the caller's usual transport failure and is never retried here.
 *
 * <p>Lifecycle: one instance for the life of the process (or Lambda execution environment),
 * shared by all threads; {@link #close} says QUIT on the sessions it keeps. In Lambda nothing
 * needs closing: a session that died while the environment was frozen is past its idle limit on
 * thaw and is closed, not used.
 */
public final class SmtpClient implements AutoCloseable {

    /**
     * @param heloName the name this client gives in EHLO/HELO (RFC 5321 §4.1.1.1: the client's FQDN)
     * @param timeouts per-stage timeouts
     * @param sockets creates plain sockets (a seam for tests and for binding a source address)
     * @param tls creates TLS sockets layered over them
     * @param reuse how sessions are kept for later transactions, and the per-destination cap
     * @param clock measures the idle and age limits of kept sessions
     */
    public record Settings(String heloName, SmtpTimeouts timeouts, SocketFactory sockets, SSLSocketFactory tls,
            ConnectionReuse reuse, Clock clock) {
        public Settings {
            Objects.requireNonNull(heloName, "heloName");
            Objects.requireNonNull(timeouts, "timeouts");
            Objects.requireNonNull(sockets, "sockets");
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(reuse, "reuse");
            Objects.requireNonNull(clock, "clock");
        }

        /** With {@link ConnectionReuse#defaults()} and the system clock. */
        public Settings(String heloName, SmtpTimeouts timeouts, SocketFactory sockets, SSLSocketFactory tls) {
            this(heloName, timeouts, sockets, tls, ConnectionReuse.defaults(), Clock.systemUTC());
        }

        public static Settings defaults(String heloName) {
            return new Settings(heloName, SmtpTimeouts.defaults(), SocketFactory.getDefault(), OpportunisticTls.socketFactory());
        }

        public Settings withReuse(ConnectionReuse value) {
            return new Settings(heloName, timeouts, sockets, tls, value, clock);
        }
    }

    private final Settings settings;
    private final ConnectionPool pool;

    public SmtpClient(Settings settings) {
        this.settings = settings;
        this.pool = new ConnectionPool(settings.reuse(), settings.clock());
    }

    /**
     * Runs one transaction for {@code envelope} against {@code target}: on a kept session to the
     * same destination (same address, port, TLS mode, host name and STARTTLS policy) when there is
     * one, otherwise on a new session (greeting, EHLO or HELO, STARTTLS as {@code startTls} says).
     * Waits for a free slot when the destination's cap is reached, never past {@code deadline}.
     *
     * @return a reply for every recipient
     * @throws TlsHandshakeException when the TLS handshake failed (the caller may retry in plaintext)
     * @throws SmtpIoException on any other transport failure, timeout or deadline
     */
    public SessionResult deliver(SmtpTarget target, Envelope envelope, StartTls startTls, Deadline deadline,
            Transcript transcript) throws SmtpIoException {
        ConnectionPool.Lease lease = pool.acquire(new ConnectionPool.Destination(target, startTls), deadline);
        try {
            OpenSession kept = lease.session();
            if (kept != null) {
                kept.resume(deadline, transcript);
                try {
                    return transact(lease, kept, target, envelope, transcript, true);
                } catch (StaleConnection e) {
                    kept.abandon();
                    lease.forgetSession();
                    transcript.event("the reused connection was dead before the server accepted anything ("
                            + e.getMessage() + "); retrying once on a new connection");
                }
            }
            SessionStart.Outcome start = new SessionStart(settings, target, transcript).open(startTls, deadline);
            return switch (start) {
                case SessionStart.Outcome.Refused refused -> everyone(envelope, refused);
                case SessionStart.Outcome.Ready ready -> transact(lease, ready.session(), target, envelope, transcript, false);
            };
        } catch (StaleConnection e) {
            throw new AssertionError("only a reused session can be stale", e);
        } finally {
            // Frees the slot unless the session went back to the pool (then this does nothing).
            pool.abandon(lease);
        }
    }

    /** Runs the transaction on {@code session} and gives the session back to the pool or closes it. */
    private SessionResult transact(ConnectionPool.Lease lease, OpenSession session, SmtpTarget target,
            Envelope envelope, Transcript transcript, boolean reused) throws SmtpIoException, StaleConnection {
        Transaction.Result result;
        try {
            result = new Transaction(session, target.hostName(), envelope, settings.timeouts(), transcript, reused,
                    () -> pool.mayContinue(session)).run();
        } catch (SmtpIoException | RuntimeException e) {
            // The transaction's state is unknown: the session can carry nothing more.
            session.abandon();
            throw e;
        }
        pool.giveBack(lease, session, result.clean());
        return new SessionResult(result.replies(), session.tls(), session.capabilities());
    }

    private static SessionResult everyone(Envelope envelope, SessionStart.Outcome.Refused refused) {
        List<RecipientReply> replies = new ArrayList<>();
        for (String recipient : envelope.recipients()) {
            replies.add(new RecipientReply(recipient, refused.reply()));
        }
        return new SessionResult(replies, refused.tls(), refused.capabilities());
    }

    /** Says QUIT on every kept session; sessions in use are closed when their transaction ends. */
    @Override
    public void close() {
        pool.close();
    }

    /** Idle sessions kept right now; for tests. */
    int idleSessions() {
        return pool.idleCount();
    }
}
