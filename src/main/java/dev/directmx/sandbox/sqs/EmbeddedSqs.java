package dev.directmx.sandbox.sqs;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A real SQS API in the JVM (ElasticMQ over HTTP on loopback) with the queue pair directmx
 * expects: {@value #QUEUE_NAME}, whose redrive policy moves a message to {@value
 * #DEAD_LETTER_QUEUE_NAME} after {@link Settings#maxReceiveCount()} receives.
 *
 * <p>For tests, the offline demo and {@code worker} on a laptop: point the SDK at {@link
 * #endpoint()} (or use {@link #client()}) exactly as at AWS. Lifecycle: {@link #start} binds an
 * ephemeral port on 127.0.0.1, creates both queues and returns when they exist; {@link
 * #close} closes the client and stops the server and every thread it started, so a JVM that
 * used it can exit. Messages live in memory only and are gone after {@code close}. One
 * instance per test class is enough; queues are shared by everything that uses the instance.
 */
public final class EmbeddedSqs implements AutoCloseable {

    /** The main queue's name, as in {@code template.yaml}. */
    public static final String QUEUE_NAME = "directmx";

    /** The dead-letter queue's name: invalid bodies and messages received too often end here. */
    public static final String DEAD_LETTER_QUEUE_NAME = "directmx-dlq";

    /** ElasticMQ checks no signature, but the SDK signs every request and needs something to sign with. */
    private static final AwsBasicCredentials DUMMY_CREDENTIALS = AwsBasicCredentials.create("directmx", "local");

    /** The region the queue ARNs carry; any name works, a real one keeps records looking like AWS's. */
    private static final Region REGION = Region.US_EAST_1;

    private static final String ACCOUNT_ID = "000000000000";

    /**
     * SQS keeps a message at most 14 days (1,209,600 s); the default of 4 days is shorter than
     * directmx's default maximum retry age of 5 days, so take the most.
     */
    private static final Duration RETENTION = Duration.ofDays(14);

    private final SQSRestServer server;
    private final URI endpoint;
    private final SqsClient client;
    private final String queueUrl;
    private final String deadLetterQueueUrl;

    private EmbeddedSqs(SQSRestServer server, URI endpoint, SqsClient client, String queueUrl,
                        String deadLetterQueueUrl) {
        this.server = server;
        this.endpoint = endpoint;
        this.client = client;
        this.queueUrl = queueUrl;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
    }

    /**
     * How the embedded queue behaves.
     *
     * @param maxReceiveCount receives after which SQS moves a message to the dead-letter queue
     *     instead of delivering it again (1..1000). The default is 30: more attempts than the
     *     retry schedule makes in its five days, so only a message that keeps crashing the
     *     worker gets there.
     * @param visibilityTimeout how long a received message stays hidden unless the batch logic
     *     changes it (0 s..12 h). The default is 5 minutes, the {@code worker}'s default batch
     *     budget: Lambda likewise wants a queue's visibility timeout no shorter than the
     *     function's timeout, or a slow batch's messages are received twice.
     */
    public record Settings(int maxReceiveCount, Duration visibilityTimeout) {

        public Settings {
            Objects.requireNonNull(visibilityTimeout, "visibilityTimeout");
            if (maxReceiveCount < 1 || maxReceiveCount > 1000) {
                throw new IllegalArgumentException("maxReceiveCount must be 1..1000, not " + maxReceiveCount);
            }
            if (visibilityTimeout.isNegative() || visibilityTimeout.compareTo(Duration.ofHours(12)) > 0) {
                throw new IllegalArgumentException("visibilityTimeout must be 0 s..12 h, not " + visibilityTimeout);
            }
        }

        /** 30 receives, 5 minutes' visibility timeout. */
        public static Settings defaults() {
            return new Settings(30, Duration.ofMinutes(5));
        }
    }

    /** Starts ElasticMQ with {@link Settings#defaults()}. */
    public static EmbeddedSqs start() {
        return start(Settings.defaults());
    }

    /** Starts ElasticMQ on 127.0.0.1 and an ephemeral port and creates both queues. */
    public static EmbeddedSqs start(Settings settings) {
        Objects.requireNonNull(settings, "settings");
        SQSRestServer server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort()
                .withAWSRegion(REGION.id()).withAWSAccountId(ACCOUNT_ID).start();
        SqsClient client = null;
        try {
            InetSocketAddress bound = server.waitUntilStarted().localAddress();
            URI endpoint = URI.create("http://127.0.0.1:" + bound.getPort());
            client = clientFor(endpoint);
            String deadLetterQueueUrl = createQueue(client, DEAD_LETTER_QUEUE_NAME, Map.of(
                    QueueAttributeName.MESSAGE_RETENTION_PERIOD, seconds(RETENTION)));
            String deadLetterArn = client.getQueueAttributes(b -> b.queueUrl(deadLetterQueueUrl)
                    .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
            String queueUrl = createQueue(client, QUEUE_NAME, Map.of(
                    QueueAttributeName.VISIBILITY_TIMEOUT, seconds(settings.visibilityTimeout()),
                    QueueAttributeName.MESSAGE_RETENTION_PERIOD, seconds(RETENTION),
                    QueueAttributeName.REDRIVE_POLICY, redrivePolicy(deadLetterArn, settings.maxReceiveCount())));
            return new EmbeddedSqs(server, endpoint, client, queueUrl, deadLetterQueueUrl);
        } catch (RuntimeException e) {
            if (client != null) {
                client.close();
            }
            server.stopAndWait();
            throw e;
        }
    }

    /**
     * A client for a local SQS endpoint such as this one: the URL-connection HTTP client,
     * {@code us-east-1} and dummy credentials, so that nothing looks for real ones (which
     * could mean asking the EC2 metadata service). The caller closes it.
     */
    public static SqsClient clientFor(URI endpoint) {
        return SqsClient.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(StaticCredentialsProvider.create(DUMMY_CREDENTIALS))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    /** The SQS endpoint, {@code http://127.0.0.1:PORT}: what {@code AWS_ENDPOINT_URL_SQS} would name. */
    public URI endpoint() {
        return endpoint;
    }

    /** The URL of {@value #QUEUE_NAME}. */
    public String queueUrl() {
        return queueUrl;
    }

    /** The URL of {@value #DEAD_LETTER_QUEUE_NAME}. */
    public String deadLetterQueueUrl() {
        return deadLetterQueueUrl;
    }

    /** A client for {@link #endpoint()}, shared, thread-safe and closed by {@link #close()}: do not close it. */
    public SqsClient client() {
        return client;
    }

    /** Closes the client, stops the server and waits until its threads are gone. */
    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.stopAndWait();
        }
    }

    private static String createQueue(SqsClient client, String name, Map<QueueAttributeName, String> attributes) {
        return client.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
    }

    private static String redrivePolicy(String deadLetterArn, int maxReceiveCount) {
        // SQS takes the policy as a JSON string; the ARN has no characters that need escaping.
        return "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}";
    }

    private static String seconds(Duration duration) {
        return Long.toString(duration.toSeconds());
    }
}
