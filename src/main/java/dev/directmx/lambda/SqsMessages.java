package dev.directmx.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Turns messages received with the SDK into the records Lambda's SQS event source would have
 * passed, so that the batch logic cannot tell the {@code worker} from Lambda.
 *
 * <p>Stateless; the {@link Source} is looked up once per queue.
 */
public final class SqsMessages {

    /** What Lambda writes in every record's {@code eventSource}. */
    public static final String EVENT_SOURCE = "aws:sqs";

    private SqsMessages() {
    }

    /**
     * The queue the messages came from, as Lambda names it in each record.
     *
     * @param queueArn the queue's ARN ({@code QueueArn} from GetQueueAttributes)
     * @param region the queue's region, such as {@code eu-west-1}
     */
    public record Source(String queueArn, String region) {

        public Source {
            Objects.requireNonNull(queueArn, "queueArn");
            Objects.requireNonNull(region, "region");
        }

        /**
         * The source named by an ARN ({@code arn:aws:sqs:REGION:ACCOUNT:NAME}); its region is the
         * ARN's, which is the queue's own even when the client was built for another, else {@code
         * fallbackRegion}.
         */
        public static Source of(String queueArn, String fallbackRegion) {
            String[] parts = queueArn.split(":", 6);
            boolean hasRegion = parts.length == 6 && !parts[3].isEmpty();
            return new Source(queueArn, hasRegion ? parts[3] : fallbackRegion);
        }
    }

    /** The records for {@code messages}, in their order. */
    public static List<SQSEvent.SQSMessage> toLambda(List<Message> messages, Source source) {
        return messages.stream().map(m -> toLambda(m, source)).toList();
    }

    /**
     * One record, filled as Lambda fills it: system attributes under their SQS names ({@code
     * ApproximateReceiveCount}, {@code SentTimestamp}, {@code SenderId}, {@code
     * ApproximateFirstReceiveTimestamp}, and for FIFO queues {@code MessageGroupId} and the rest),
     * all values as strings, and every message attribute with empty lists rather than nulls.
     */
    public static SQSEvent.SQSMessage toLambda(Message message, Source source) {
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(message.messageId());
        record.setReceiptHandle(message.receiptHandle());
        record.setBody(message.body());
        record.setMd5OfBody(message.md5OfBody());
        record.setMd5OfMessageAttributes(message.md5OfMessageAttributes());
        record.setAttributes(new LinkedHashMap<>(message.attributesAsStrings()));
        record.setMessageAttributes(attributes(message.messageAttributes()));
        record.setEventSource(EVENT_SOURCE);
        record.setEventSourceArn(source.queueArn());
        record.setAwsRegion(source.region());
        return record;
    }

    private static Map<String, SQSEvent.MessageAttribute> attributes(Map<String, MessageAttributeValue> values) {
        Map<String, SQSEvent.MessageAttribute> attributes = new LinkedHashMap<>();
        values.forEach((name, value) -> attributes.put(name, attribute(value)));
        return attributes;
    }

    private static SQSEvent.MessageAttribute attribute(MessageAttributeValue value) {
        SQSEvent.MessageAttribute attribute = new SQSEvent.MessageAttribute();
        attribute.setDataType(value.dataType());
        attribute.setStringValue(value.stringValue());
        attribute.setBinaryValue(value.binaryValue() == null ? null : value.binaryValue().asByteBuffer());
        // Lambda sends the reserved list fields as empty lists, never as null.
        attribute.setStringListValues(List.copyOf(value.stringListValues()));
        attribute.setBinaryListValues(value.binaryListValues().stream().map(SdkBytes::asByteBuffer).toList());
        return attribute;
    }
}
