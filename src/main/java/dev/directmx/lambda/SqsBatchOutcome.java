package dev.directmx.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A batch split as Lambda splits it after the function returns (ReportBatchItemFailures): the
 * records to delete and the records to leave on the queue.
 *
 * <p>A value, made once per batch by {@link SqsWorker}.
 *
 * @param done records to delete
 * @param retried records to leave on the queue
 * @param problem why the whole batch was kept, when the response was malformed
 */
record SqsBatchOutcome(List<SQSEvent.SQSMessage> done, List<SQSEvent.SQSMessage> retried, Optional<String> problem) {

    /**
     * Lambda's rules: records not named in {@code batchItemFailures} are done, and a null
     * response or list means all are; an entry that is null, blank or names a record not in the
     * batch makes the whole batch fail, because the function's answer cannot be trusted.
     */
    static SqsBatchOutcome of(SQSBatchResponse response, List<SQSEvent.SQSMessage> records) {
        List<SQSBatchResponse.BatchItemFailure> failures = response == null || response.getBatchItemFailures() == null
                ? List.of() : response.getBatchItemFailures();
        Set<String> inBatch = new HashSet<>();
        records.forEach(r -> inBatch.add(r.getMessageId()));
        Set<String> failed = new HashSet<>();
        for (SQSBatchResponse.BatchItemFailure failure : failures) {
            String id = failure == null ? null : failure.getItemIdentifier();
            if (id == null || id.isBlank()) {
                return keepAll(records, "the response has an empty item identifier");
            }
            if (!inBatch.contains(id)) {
                return keepAll(records, "the response names message '" + id + "', which is not in the batch");
            }
            failed.add(id);
        }
        return new SqsBatchOutcome(
                records.stream().filter(r -> !failed.contains(r.getMessageId())).toList(),
                records.stream().filter(r -> failed.contains(r.getMessageId())).toList(),
                Optional.empty());
    }

    private static SqsBatchOutcome keepAll(List<SQSEvent.SQSMessage> records, String why) {
        return new SqsBatchOutcome(List.of(), records, Optional.of(why + "; as Lambda does, the whole batch is kept"));
    }
}
