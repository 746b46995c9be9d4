package dev.directmx.smtp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sessions {@link SmtpClient} keeps open between transactions, by destination, and the cap
 * on how many sessions to one destination may be open at once ({@link ConnectionReuse}).
 *
 * <p>A caller {@link #acquire acquires} a {@link Lease} on one of a destination's slots: with an
 * idle session in it (the most recently used, which the server is least likely to have timed
 * out), or empty, and then the caller opens a session itself. It ends the lease with
 * {@link #giveBack} or {@link #abandon}. Idle sessions past the idle or age limit are closed
 * with QUIT, by a timer and again whenever a caller looks at them, so that a session frozen with
 * a Lambda environment is dropped on thaw rather than used.
 *
 * <p>Lifecycle: one per {@link SmtpClient}, for the life of the process or Lambda execution
 * environment; {@link #close} says QUIT on the idle sessions, and sessions given back afterwards
 * are closed. Thread-safe; it uses a lock rather than {@code synchronized} so that waiting for a
 * slot never pins a virtual thread's carrier.
 */
final class ConnectionPool implements AutoCloseable {

    /**
     * Where a session goes. Only a session to an equal destination is reused: the host name
     * decides SNI and certificate names, the STARTTLS policy whether TLS was attempted.
     */
    record Destination(SmtpTarget target, StartTls startTls) {
        @Override
        public String toString() {
            return target.hostName() + " [" + target.address().getAddress().getHostAddress() + "]:"
                    + target.address().getPort();
        }
    }

    /** One caller's hold on one connection slot of a destination. Used by one thread. */
    static final class Lease {
        private final Destination destination;
        private OpenSession session;
        private boolean ended;

        private Lease(Destination destination, OpenSession session) {
            this.destination = destination;
            this.session = session;
        }

        /** The idle session this lease took from the pool, or {@code null}: open one. */
        OpenSession session() {
            return session;
        }

        /** The pooled session was dead; the slot stays held for the new session the caller opens. */
        void forgetSession() {
            session = null;
        }
    }

    /** The sessions of one destination: how many exist (in use or idle) and the idle ones. */
    private static final class Slots {
        int open;
        final Deque<OpenSession> idle = new ArrayDeque<>();
    }

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "directmx-smtp-pool");
        t.setDaemon(true);
        return t;
    });

    private final ConnectionReuse limits;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition slotFreed = lock.newCondition();
    private final Map<Destination, Slots> destinations = new HashMap<>(); // guarded by lock
    private final Set<Thread> closers = ConcurrentHashMap.newKeySet();
    private boolean closed; // guarded by lock

    ConnectionPool(ConnectionReuse limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * A lease on a slot of {@code destination}, waiting while all its slots are in use, but never
     * past {@code deadline}.
     *
     * @throws SmtpIoException when the deadline passed while waiting (a deadline failure)
     */
    Lease acquire(Destination destination, Deadline deadline) throws SmtpIoException {
        List<OpenSession> expired = new ArrayList<>();
        lock.lock();
        try {
            while (true) {
                // Looked up on every pass: while this caller waited, the entry may have been dropped.
                Slots slots = destinations.computeIfAbsent(destination, d -> new Slots());
                removeExpired(slots, clock.instant(), expired);
                OpenSession idle = slots.idle.pollFirst();
                if (idle != null) {
                    return new Lease(destination, idle);
                }
                if (slots.open < limits.connectionsPerDestination()) {
                    slots.open++;
                    return new Lease(destination, null);
                }
                Duration left = deadline.remaining();
                if (left.isZero()) {
                    throw new SmtpIoException("connect", "message deadline reached while waiting for one of the "
                            + limits.connectionsPerDestination() + " connections to " + destination
                            + " (the per-destination cap) to become free", true, true, null);
                }
                slotFreed.awaitNanos(left.toNanos());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SmtpIoException("connect", "interrupted while waiting for a connection to " + destination, false, e);
        } finally {
            lock.unlock();
            quitInBackground(expired);
        }
    }

    /**
     * Ends a lease whose transaction reached a definite end. The session goes back to the pool if
     * it is healthy, under its limits and the pool is open; otherwise it is closed, with QUIT
     * when the connection still allows one.
     *
     * @param clean whether the transaction ended with a definite reply and the server is back in
     *     its initial state (the reply to the final dot was read, or RSET was confirmed)
     */
    void giveBack(Lease lease, OpenSession session, boolean clean) {
        Instant now = clock.instant();
        boolean healthy = session.park(now);
        boolean keep = false;
        lock.lock();
        try {
            if (lease.ended) {
                throw new IllegalStateException("lease already ended");
            }
            lease.ended = true;
            Slots slots = destinations.get(lease.destination);
            keep = clean && healthy && !closed && reusable(session, now);
            if (keep) {
                slots.idle.addFirst(session);
                TIMER.schedule(this::closeExpired, limits.idleLimit().toMillis() + 1, TimeUnit.MILLISECONDS);
            } else {
                slots.open--;
                forgetIfUnused(lease.destination, slots);
            }
            slotFreed.signalAll();
        } finally {
            lock.unlock();
        }
        if (!keep) {
            if (healthy) {
                quitInBackground(List.of(session));
            } else {
                session.abandon();
            }
        }
    }

    /** Whether a session may carry one more transaction: it is under the count and age limits. */
    boolean mayContinue(OpenSession session) {
        return reusable(session, clock.instant());
    }

    /** Ends a lease without a session to give back (the caller has closed it, or never had one). */
    void abandon(Lease lease) {
        lock.lock();
        try {
            if (lease.ended) {
                return;
            }
            lease.ended = true;
            Slots slots = destinations.get(lease.destination);
            slots.open--;
            forgetIfUnused(lease.destination, slots);
            slotFreed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean reusable(OpenSession session, Instant now) {
        return limits.enabled() && session.transactions() < limits.transactionsPerConnection()
                && Duration.between(session.opened(), now).compareTo(limits.ageLimit()) < 0;
    }

    private boolean expired(OpenSession session, Instant now) {
        return Duration.between(session.idleSince(), now).compareTo(limits.idleLimit()) >= 0
                || Duration.between(session.opened(), now).compareTo(limits.ageLimit()) >= 0;
    }

    /** Moves the expired idle sessions of {@code slots} to {@code into}. Called with the lock held. */
    private void removeExpired(Slots slots, Instant now, List<OpenSession> into) {
        for (Iterator<OpenSession> it = slots.idle.iterator(); it.hasNext(); ) {
            OpenSession session = it.next();
            if (expired(session, now)) {
                it.remove();
                slots.open--;
                into.add(session);
                slotFreed.signalAll();
            }
        }
    }

    /** Drops a destination's entry once it has no session, so the map does not grow without end. */
    private void forgetIfUnused(Destination destination, Slots slots) {
        if (slots.open == 0 && slots.idle.isEmpty()) {
            destinations.remove(destination);
        }
    }

    /** The timer's sweep: closes every idle session past its idle or age limit. */
    private void closeExpired() {
        List<OpenSession> expired = new ArrayList<>();
        lock.lock();
        try {
            Instant now = clock.instant();
            for (Iterator<Map.Entry<Destination, Slots>> it = destinations.entrySet().iterator(); it.hasNext(); ) {
                Slots slots = it.next().getValue();
                removeExpired(slots, now, expired);
                if (slots.open == 0 && slots.idle.isEmpty()) {
                    it.remove();
                }
            }
        } finally {
            lock.unlock();
        }
        quitInBackground(expired);
    }

    /** QUIT on virtual threads: no message waits for the 221 of a session it no longer needs. */
    private void quitInBackground(List<OpenSession> sessions) {
        for (OpenSession session : sessions) {
            Thread thread = Thread.ofVirtual().name("directmx-smtp-quit").unstarted(() -> {
                try {
                    session.quitIdle(clock);
                } finally {
                    closers.remove(Thread.currentThread());
                }
            });
            closers.add(thread);
            thread.start();
        }
    }

    /** The number of idle sessions in the pool, for tests and diagnostics. */
    int idleCount() {
        lock.lock();
        try {
            return destinations.values().stream().mapToInt(s -> s.idle.size()).sum();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Says QUIT on every idle session and waits for those goodbyes (each bounded by
     * {@link OpenSession#QUIT_WAIT}); sessions in use are closed when they are given back.
     * Idempotent.
     */
    @Override
    public void close() {
        List<OpenSession> idle = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            for (Slots slots : destinations.values()) {
                slots.open -= slots.idle.size();
                idle.addAll(slots.idle);
                slots.idle.clear();
            }
            destinations.values().removeIf(s -> s.open == 0);
            slotFreed.signalAll();
        } finally {
            lock.unlock();
        }
        quitInBackground(idle);
        for (Thread closer : List.copyOf(closers)) {
            try {
                closer.join(OpenSession.QUIT_WAIT.multipliedBy(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
