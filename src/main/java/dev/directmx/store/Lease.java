package dev.directmx.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A claim on recipients for one delivery attempt: {@code owner} holds them until {@code until}.
 * {@link OutcomeStore#open} creates a new message's recipient records already held by one, which
 * is a {@link OutcomeStore#claim claim} folded into the write that creates them.
 */
public record Lease(String owner, Instant until) {
    public Lease {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(until, "until");
    }
}
