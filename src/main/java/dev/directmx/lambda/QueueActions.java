package dev.directmx.lambda;

import java.time.Duration;

/**
 * What the batch logic asks of the queue a record came from.
 *
 * <p>The Lambda handler and the {@code worker} command give the batch logic the same
 * implementation ({@link SqsQueueActions}); tests give it a fake. Calls may come from several
 * threads at once, one per record being worked.
 */
public interface QueueActions {

    /**
     * ChangeMessageVisibility(receiptHandle, delay) on the source queue: the record comes back
     * after delay (0 s .. 12 h). SQS counts its 12-hour limit from the receive, so {@link
     * SqsQueueActions} holds the longest delays to {@link SqsQueueActions#LONGEST_DELAY}.
     */
    void changeVisibility(String receiptHandle, Duration delay);

    /**
     * Sends the original body, byte for byte, to the dead-letter queue, with the error as message
     * attribute "directmx-error" (String) and the original messageId as
     * "directmx-source-message-id".
     */
    void sendToDeadLetter(String sourceMessageId, String body, String error);
}
