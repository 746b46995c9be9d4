package dev.directmx.lambda;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * {@link QueueActions} on a real SQS API (AWS, LocalStack, ElasticMQ) through the SDK.
 *
 * <p>One instance per pair of queues, for the life of the process: it holds no state besides
 * the client, which is thread-safe, and it does not close the client, which its creator owns.
 * Failures of SQS itself ({@link software.amazon.awssdk.core.exception.SdkException}) reach the
 * caller: the batch logic must then keep the record rather than delete it.
 */
public final class SqsQueueActions implements QueueActions {

    /** The message attribute that carries the reason a body was refused. */
    public static final String ERROR_ATTRIBUTE = "directmx-error";

    /** The message attribute that carries the refused message's id on the source queue. */
    public static final String SOURCE_MESSAGE_ID_ATTRIBUTE = "directmx-source-message-id";

    /**
     * SQS's limit on a message's visibility timeout: 12 hours (43,200 s), counted from the
     * ReceiveMessage that returned it, not from the ChangeMessageVisibility call. Asking for 12
     * hours once a record has been in flight for a second is refused ("Total VisibilityTimeout
     * for the message is beyond the limit [43200 seconds]").
     */
    public static final Duration MAX_VISIBILITY = Duration.ofHours(12);

    /**
     * How long a record may have been in flight when the batch logic changes its visibility: 30
     * minutes, more than Lambda's longest batching window (5 min) and timeout (15 min) together,
     * and than {@link SqsWorker}'s longest batch budget (15 min).
     */
    static final Duration IN_FLIGHT_ALLOWANCE = Duration.ofMinutes(30);

    /** The longest delay actually asked of SQS: 11 h 30 min, so that the 12-hour limit always holds. */
    public static final Duration LONGEST_DELAY = MAX_VISIBILITY.minus(IN_FLIGHT_ALLOWANCE);

    /**
     * The longest error text put in {@value #ERROR_ATTRIBUTE}. The default is 1,000 characters:
     * enough for any sentence directmx writes, while a quoted header or address of any length
     * cannot push the dead-letter message over SQS's size limit, which counts attributes too.
     */
    static final int MAX_ERROR_CHARS = 1000;

    private final Supplier<SqsClient> sqs;
    private final String queueUrl;
    private final String deadLetterQueueUrl;

    /**
     * @param sqs the client, owned by the caller
     * @param queueUrl the queue the records come from
     * @param deadLetterQueueUrl where refused bodies go
     */
    public SqsQueueActions(SqsClient sqs, String queueUrl, String deadLetterQueueUrl) {
        this(constant(Objects.requireNonNull(sqs, "sqs")), queueUrl, deadLetterQueueUrl);
    }

    private SqsQueueActions(Supplier<SqsClient> sqs, String queueUrl, String deadLetterQueueUrl) {
        this.sqs = sqs;
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        this.deadLetterQueueUrl = Objects.requireNonNull(deadLetterQueueUrl, "deadLetterQueueUrl");
    }

    /**
     * For the Lambda handler: the standard {@link #client()} is built at the first call, not at
     * start-up. Most invocations never call SQS themselves (the event source mapping deletes the
     * records reported done), and building the SDK's SQS client would add some 300 ms of class
     * loading to every cold start. {@link #buildClient()} builds it ahead, for SnapStart priming.
     * The client lives as long as the process.
     */
    public static SqsQueueActions clientOnFirstUse(String queueUrl, String deadLetterQueueUrl) {
        return new SqsQueueActions(new OnFirstUse<>(SqsQueueActions::client), queueUrl, deadLetterQueueUrl);
    }

    /** Builds the client now if it is built on first use; otherwise does nothing. */
    public void buildClient() {
        sqs.get();
    }

    private static <T> Supplier<T> constant(T value) {
        return () -> value;
    }

    /** A value made by the first {@link #get} that needs it, once, even with several threads asking. */
    private static final class OnFirstUse<T> implements Supplier<T> {
        private final Supplier<T> factory;
        private volatile T value;

        OnFirstUse(Supplier<T> factory) {
            this.factory = factory;
        }

        @Override
        public T get() {
            T made = value;
            if (made == null) {
                synchronized (this) {
                    made = value;
                    if (made == null) {
                        made = factory.get();
                        value = made;
                    }
                }
            }
            return made;
        }
    }

    /**
     * A client configured the standard way: region from {@code AWS_REGION}, {@code aws.region},
     * the profile or the instance metadata, else {@code us-east-1}; credentials from the default
     * chain; endpoint from {@code AWS_ENDPOINT_URL_SQS} or {@code AWS_ENDPOINT_URL} when set
     * (the SDK reads those itself), else AWS's. The caller closes it.
     */
    public static SqsClient client() {
        return builder().build();
    }

    /** As {@link #client()}, but talking to {@code endpoint}, for example a local ElasticMQ. */
    public static SqsClient client(URI endpoint) {
        return builder().endpointOverride(Objects.requireNonNull(endpoint, "endpoint")).build();
    }

    @Override
    public void changeVisibility(String receiptHandle, Duration delay) {
        Objects.requireNonNull(receiptHandle, "receiptHandle");
        int seconds = visibilitySeconds(delay);
        sqs.get().changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout(seconds));
    }

    @Override
    public void sendToDeadLetter(String sourceMessageId, String body, String error) {
        Objects.requireNonNull(sourceMessageId, "sourceMessageId");
        Objects.requireNonNull(body, "body");
        Map<String, MessageAttributeValue> attributes = Map.of(
                ERROR_ATTRIBUTE, text(attributeText(error == null ? "(no reason given)" : error)),
                SOURCE_MESSAGE_ID_ATTRIBUTE, text(attributeText(sourceMessageId)));
        // The body goes as it came: it arrived through SQS, so SQS accepts it again unchanged.
        sqs.get().sendMessage(b -> b.queueUrl(deadLetterQueueUrl).messageBody(body).messageAttributes(attributes));
    }

    /**
     * The delay in whole seconds, rounded up so that a record never comes back early, and held
     * to what SQS accepts: 0 s .. {@link #LONGEST_DELAY}. A negative delay means "now".
     */
    static int visibilitySeconds(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            return 0;
        }
        if (delay.compareTo(LONGEST_DELAY) >= 0) {
            return (int) LONGEST_DELAY.toSeconds();
        }
        long seconds = delay.toSeconds();
        return (int) (delay.toNanosPart() > 0 ? seconds + 1 : seconds);
    }

    /**
     * Text SQS accepts in a String attribute, at most {@link #MAX_ERROR_CHARS} long. SQS refuses
     * the whole SendMessage for a character outside XML's set (#x9, #xA, #xD, #x20-#xD7FF,
     * #xE000-#xFFFD, #x10000-#x10FFFF), and an error that quotes a header injection attempt may
     * hold one; losing the body over its error text would lose the message, so such characters
     * are written as {@code \}{@code uXXXX} instead.
     */
    static String attributeText(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_ERROR_CHARS) + 8);
        int i = 0;
        while (i < text.length() && out.length() < MAX_ERROR_CHARS) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (allowed(c)) {
                out.appendCodePoint(c);
            } else {
                out.append(String.format("\\u%04x", c));
            }
        }
        if (i < text.length()) {
            // Cut before a surrogate pair rather than through it: half a pair is not a character.
            int cut = MAX_ERROR_CHARS - 1;
            out.setLength(Character.isHighSurrogate(out.charAt(cut - 1)) ? cut - 1 : cut);
            out.append('…');
        }
        return out.toString();
    }

    private static boolean allowed(int c) {
        return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private static SqsClientBuilder builder() {
        return SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(region());
    }

    /**
     * The default chain's region, or {@code us-east-1} when it finds none: Lambda always sets
     * {@code AWS_REGION}, and a laptop pointed at a local endpoint needs no particular region.
     */
    private static Region region() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            return Region.US_EAST_1;
        }
    }
}
