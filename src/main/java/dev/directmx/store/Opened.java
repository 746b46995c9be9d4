package dev.directmx.store;

import java.util.Set;

/**
 * What {@link OutcomeStore#open} found or made.
 *
 * @param message the stored message with its recipients
 * @param leased the recipients whose records this open created under its lease: they are claimed
 *     for that lease's owner as surely as if {@link OutcomeStore#claim} had said yes, since the
 *     write that created them would have failed had any record been there
 */
public record Opened(StoredMessage message, Set<String> leased) {
    public Opened {
        leased = Set.copyOf(leased);
    }
}
