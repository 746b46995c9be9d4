package dev.directmx.lambda;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link QueueActions} that remembers what was asked of it, for fast batch tests. */
final class RecordingQueue implements QueueActions {

    record VisibilityChange(String receiptHandle, Duration delay) {
    }

    record DeadLetter(String sourceMessageId, String body, String error) {
    }

    final List<VisibilityChange> visibilityChanges = new CopyOnWriteArrayList<>();
    final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

    @Override
    public void changeVisibility(String receiptHandle, Duration delay) {
        visibilityChanges.add(new VisibilityChange(receiptHandle, delay));
    }

    @Override
    public void sendToDeadLetter(String sourceMessageId, String body, String error) {
        deadLetters.add(new DeadLetter(sourceMessageId, body, error));
    }
}
