package dev.directmx.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.directmx.store.DynamoOutcomeStore;
import java.time.Duration;

/**
 * The Lambda entry point: an SQS batch in, the records to retry out (partial batch responses,
 * {@code ReportBatchItemFailures}). Everything it does is {@link BatchProcessor}'s; the
 * function's remaining time bounds the batch.
 *
 * <p>The no-argument constructor runs once per execution environment (and, with SnapStart,
 * before the snapshot): it reads and validates the configuration, builds the AWS clients and
 * reads the DKIM keys ({@code DIRECTMX_DKIM_KEYS}) once; a key that cannot be read fails the
 * initialisation with a message naming it.
 */
public final class SqsDeliveryHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final BatchProcessor processor;

    public SqsDeliveryHandler() {
        this(fromEnvironment());
    }

    public SqsDeliveryHandler(BatchProcessor processor) {
        this.processor = processor;
    }

    private static BatchProcessor fromEnvironment() {
        DirectmxConfig config = DirectmxConfig.from(System.getenv(), DirectmxConfig.REQUIRED);
        return DeliveryComponents.processor(config, DynamoOutcomeStore.fromEnvironment(config.table()),
                new SqsQueueActions(SqsQueueActions.client(), config.queueUrl(), config.deadLetterQueueUrl()),
                BatchObserver.NONE);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return processor.process(event.getRecords(), () -> Duration.ofMillis(context.getRemainingTimeInMillis()));
    }
}
