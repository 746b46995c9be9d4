package dev.directmx.store;

/** Where one recipient stands. {@code DELIVERED} and final {@code FAILED} never change again. */
public enum RecipientStatus {
    PENDING,
    DELIVERED,
    DEFERRED,
    FAILED;

    /** The status as stored and shown: lower case. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
