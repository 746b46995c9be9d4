package dev.directmx.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.directmx.store.DynamoOutcomeStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.crac.Core;
import org.crac.Resource;

/**
 * The Lambda entry point: an SQS batch in, the records to retry out (partial batch responses,
 * {@code ReportBatchItemFailures}). Everything it does is {@link BatchProcessor}'s; the
 * function's remaining time bounds the batch.
 *
 * <p>The no-argument constructor runs once per execution environment (and, with SnapStart,
 * before the snapshot): it reads and validates the configuration, builds the DynamoDB client
 * (the SQS client waits for its first use) and reads the DKIM keys ({@code DIRECTMX_DKIM_KEYS})
 * once; a key that cannot be read fails the initialisation with a message naming it. It also registers a SnapStart runtime hook (CRaC's
 * {@code beforeCheckpoint}) that {@linkplain #prime() primes} the delivery path before Lambda
 * takes the snapshot, so that the first batch after a restore does not pay for class loading
 * and initialisation; without SnapStart the hook never runs.
 */
public final class SqsDeliveryHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final BatchProcessor processor;
    private final SqsQueueActions queue;
    private final Resource snapStartHook = new Resource() {
        @Override
        public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
            for (String step : prime()) {
                System.out.println("directmx: SnapStart priming: " + step);
            }
        }

        @Override
        public void afterRestore(org.crac.Context<? extends Resource> context) {
            // Nothing to redo: no SMTP session is open at the snapshot, and the SDK replaces a
            // pooled HTTP connection that did not survive the freeze on its first use.
        }
    };

    public SqsDeliveryHandler() {
        DirectmxConfig config = DirectmxConfig.from(System.getenv(), DirectmxConfig.REQUIRED);
        // The SQS client is built when a record first needs it (a deferral, a refused body), or
        // by the SnapStart priming: most invocations never call SQS themselves.
        this.queue = SqsQueueActions.clientOnFirstUse(config.queueUrl(), config.deadLetterQueueUrl());
        this.processor = DeliveryComponents.processor(config, DynamoOutcomeStore.fromEnvironment(config.table()),
                queue, BatchObserver.NONE);
        // org.crac holds registered resources weakly: the field keeps the hook alive.
        Core.getGlobalContext().register(snapStartHook);
    }

    public SqsDeliveryHandler(BatchProcessor processor) {
        this.processor = processor;
        this.queue = null;
    }

    /**
     * Runs the delivery path up to the first connection with a sample message, and one store
     * read, sending and writing nothing (see {@link BatchProcessor#prime()}), and builds the SQS
     * client; what the SnapStart hook runs before the snapshot.
     *
     * @return what was primed, one line per step
     */
    public List<String> prime() {
        List<String> steps = new ArrayList<>(processor.prime());
        if (queue != null) {
            try {
                queue.buildClient();
                steps.add("built the SQS client");
            } catch (RuntimeException e) {
                steps.add("building the SQS client failed: " + e.getMessage());
            }
        }
        return steps;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return processor.process(event.getRecords(), () -> Duration.ofMillis(context.getRemainingTimeInMillis()));
    }
}
