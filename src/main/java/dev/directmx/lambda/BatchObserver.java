package dev.directmx.lambda;

import dev.directmx.delivery.DeliveryReport;

/** Watches a batch being worked: the worker and the demo print from it; Lambda needs none. */
public interface BatchObserver {

    BatchObserver NONE = new BatchObserver() {
    };

    /** One message's delivery attempt finished. */
    default void delivered(String key, DeliveryReport report) {
    }

    /** A record's body was invalid and went to the dead-letter queue. */
    default void rejected(String sqsMessageId, String error) {
    }

    /** A record is put back on the queue, to come back after {@code delaySeconds}. */
    default void requeued(String key, long delaySeconds, String why) {
    }
}
