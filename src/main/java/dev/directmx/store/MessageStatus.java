package dev.directmx.store;

/** Where a message stands as a whole. */
public enum MessageStatus {
    /** Some recipient may still be delivered: it is on the queue. */
    PENDING,
    /** Every recipient is delivered or finally failed. */
    DONE,
    /** The body was invalid; it went to the dead-letter queue. */
    REJECTED
}
