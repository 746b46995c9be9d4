package dev.directmx.sandbox.smtp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The mutable state that all sessions of one {@link ScriptedSmtpServer} share: the log, the
 * received messages and the counters. Thread-safe; one instance per server. Uses a lock rather
 * than {@code synchronized} so that waiting never pins a virtual thread's carrier.
 */
final class ServerState {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition messageArrived = lock.newCondition();
    private final List<ReceivedMessage> received = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicBoolean startTlsBroken = new AtomicBoolean();

    void log(String line) {
        lock.lock();
        try {
            log.add(line);
        } finally {
            lock.unlock();
        }
    }

    List<String> log() {
        lock.lock();
        try {
            return List.copyOf(log);
        } finally {
            lock.unlock();
        }
    }

    /** Records an accepted message and returns its 1-based number, which names its queue id. */
    int accept(ReceivedMessage message) {
        lock.lock();
        try {
            received.add(message);
            messageArrived.signalAll();
            return received.size();
        } finally {
            lock.unlock();
        }
    }

    List<ReceivedMessage> received() {
        lock.lock();
        try {
            return List.copyOf(received);
        } finally {
            lock.unlock();
        }
    }

    boolean awaitReceived(int count, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (received.size() < count) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = messageArrived.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Counts a new connection and returns its 1-based number. */
    int connectionOpened() {
        peak.accumulateAndGet(open.incrementAndGet(), Math::max);
        return connections.incrementAndGet();
    }

    /** Counts a connection whose session has ended. */
    void connectionClosed() {
        open.decrementAndGet();
    }

    int peakConnections() {
        return peak.get();
    }

    int receivedCount() {
        lock.lock();
        try {
            return received.size();
        } finally {
            lock.unlock();
        }
    }

    int connectionCount() {
        return connections.get();
    }

    /** True exactly once per server: for the STARTTLS that {@code FAIL_STARTTLS_HANDSHAKE} breaks. */
    boolean claimStartTlsFailure() {
        return startTlsBroken.compareAndSet(false, true);
    }
}
