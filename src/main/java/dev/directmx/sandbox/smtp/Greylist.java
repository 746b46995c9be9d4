package dev.directmx.sandbox.smtp;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Greylisting as postgrey does it: the first RCPT for a (sender, recipient) pair gets a 450, and
 * the same pair is accepted once {@code delay} has passed since that first try. Shared by all
 * sessions of one server; thread-safe.
 */
final class Greylist {

    private final Duration delay;
    private final Map<String, Long> firstSeenNanos = new ConcurrentHashMap<>();

    Greylist(Duration delay) {
        this.delay = delay;
    }

    /** The 450 for a pair still greylisted, or {@code null} when it may pass. */
    Reply check(String sender, String recipient) {
        String pair = sender.toLowerCase(Locale.ROOT) + " " + recipient.toLowerCase(Locale.ROOT);
        long now = System.nanoTime();
        long first = firstSeenNanos.computeIfAbsent(pair, p -> now);
        if (now - first >= delay.toNanos()) {
            return null;
        }
        return Reply.of(450, "4.2.0 " + recipient + ": Recipient address rejected: Greylisted, please try again in "
                + Math.max(1, delay.toSeconds()) + " seconds");
    }
}
