package dev.directmx.e2e;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.directmx.lambda.SqsDeliveryHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs in a child JVM whose class path is only {@code target/directmx-lambda.jar} and this
 * class: builds the handler the way the Lambda runtime does (no-argument constructor, DIRECTMX_*
 * variables) and hands it one event made of the bodies named on the command line.
 */
public final class LambdaArtifactMain {

    private LambdaArtifactMain() {
    }

    public static void main(String[] args) throws Exception {
        SqsDeliveryHandler handler = new SqsDeliveryHandler();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId("artifact-" + i);
            record.setReceiptHandle("receipt-" + i);
            record.setBody(Files.readString(Path.of(args[i])));
            record.setAttributes(Map.of("ApproximateReceiveCount", "1",
                    "SentTimestamp", String.valueOf(System.currentTimeMillis())));
            record.setEventSource("aws:sqs");
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        Context context = (Context) Proxy.newProxyInstance(LambdaArtifactMain.class.getClassLoader(),
                new Class<?>[] {Context.class},
                (proxy, method, margs) -> method.getName().equals("getRemainingTimeInMillis") ? 120_000 : null);
        SQSBatchResponse response = handler.handleRequest(event, context);
        System.out.println("failures=" + response.getBatchItemFailures().size());
    }
}
