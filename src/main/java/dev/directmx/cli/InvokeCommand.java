package dev.directmx.cli;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.directmx.delivery.Durations;
import dev.directmx.lambda.BatchObserver;
import dev.directmx.lambda.DeliveryComponents;
import dev.directmx.lambda.DirectmxConfig;
import dev.directmx.lambda.SqsDeliveryHandler;
import dev.directmx.lambda.SqsQueueActions;
import dev.directmx.store.OutcomeStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code directmx invoke EVENT.json}: runs the Lambda handler on an SQS event file, read with the
 * serializer the Lambda runtime uses, and prints the {@code SQSBatchResponse}: {@code sam local
 * invoke} without Docker.
 */
@Command(name = "invoke",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the Lambda handler on a Lambda SQS event file (see events/) and prints the SQSBatchResponse.",
            "Configuration comes from the same DIRECTMX_* variables as the function; the options override them.",
            "",
            "Exit status: 0 every record finished; 75 some record is to be retried; 64 usage or configuration error."},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.SOFTWARE)
public final class InvokeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "EVENT.json", description = "A Lambda SQS event.")
    Path event;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "300s",
            description = "The function timeout to simulate (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--keep-timestamps",
            description = "Keep the event's SentTimestamp; by default it is set to now, since sample events are old "
                    + "and a message's age decides when it expires.")
    boolean keepTimestamps;

    @Mixin
    QueueOptions queueOptions;

    @Mixin
    StoreOptions storeOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SQSEvent sqsEvent;
        try (InputStream in = Files.newInputStream(event)) {
            PojoSerializer<SQSEvent> serializer = LambdaEventSerializers.serializerFor(SQSEvent.class,
                    SQSEvent.class.getClassLoader());
            sqsEvent = serializer.fromJson(in);
        } catch (IOException | RuntimeException e) {
            err.println("directmx invoke: cannot read " + event + " as a Lambda SQS event: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (sqsEvent.getRecords() == null) {
            err.println("directmx invoke: " + event + " has no \"Records\": it is not an SQS event");
            return ExitCodes.USAGE;
        }
        if (!keepTimestamps) {
            String now = String.valueOf(System.currentTimeMillis());
            for (SQSEvent.SQSMessage record : sqsEvent.getRecords()) {
                java.util.Map<String, String> attributes = new java.util.HashMap<>(
                        record.getAttributes() == null ? java.util.Map.of() : record.getAttributes());
                attributes.put("SentTimestamp", now);
                attributes.put("ApproximateFirstReceiveTimestamp", now);
                record.setAttributes(attributes);
            }
        }
        DirectmxConfig config;
        Duration limit;
        try {
            config = queueOptions.config(System.getenv());
            limit = Durations.parse("--timeout", timeout);
        } catch (IllegalArgumentException e) {
            err.println("directmx invoke: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        try (OutcomeStore store = storeOptions.open()) {
            SqsDeliveryHandler handler = new SqsDeliveryHandler(DeliveryComponents.processor(config, store,
                    new SqsQueueActions(SqsQueueActions.client(), config.queueUrl(), config.deadLetterQueueUrl()),
                    new ProgressObserver(err)));
            err.println("invoke: " + sqsEvent.getRecords().size() + " record(s), timeout " + limit.toSeconds() + " s");
            SQSBatchResponse response = handler.handleRequest(sqsEvent, new LocalContext(limit));
            out.println(toJson(response));
            out.flush();
            return response.getBatchItemFailures().isEmpty() ? ExitCodes.OK : ExitCodes.DEFERRED;
        } catch (IllegalArgumentException e) {
            err.println("directmx invoke: " + e.getMessage());
            return ExitCodes.USAGE;
        }
    }

    /** The response as Lambda returns it to the event source mapping. */
    static String toJson(SQSBatchResponse response) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        ArrayNode failures = root.putArray("batchItemFailures");
        response.getBatchItemFailures().forEach(f -> failures.addObject().put("itemIdentifier", f.getItemIdentifier()));
        return root.toPrettyString();
    }
}
