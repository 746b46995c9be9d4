package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@link SqsQueueActions} and {@link SqsWorker} against LocalStack's SQS, a second independent
 * implementation of the API besides ElasticMQ. Runs only where a Docker engine answers; elsewhere
 * JUnit reports the class as skipped.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackSqsTest {

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(
            DockerImageName.parse("localstack/localstack:4.14.0")).withServices(LocalStackContainer.Service.SQS);

    private static SqsClient client;
    private static String queueUrl;
    private static String deadLetterQueueUrl;

    @BeforeAll
    static void createQueues() {
        client = SqsClient.builder()
                .endpointOverride(LOCALSTACK.getEndpoint())
                .region(Region.of(LOCALSTACK.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey())))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        deadLetterQueueUrl = client.createQueue(b -> b.queueName("directmx-dlq")).queueUrl();
        String deadLetterArn = client.getQueueAttributes(b -> b.queueUrl(deadLetterQueueUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        queueUrl = client.createQueue(b -> b.queueName("directmx").attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, "30",
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":\"30\"}"))).queueUrl();
    }

    @AfterAll
    static void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    void workerDeletesFinishedRecordsKeepsDeferredOnesAndDeadLettersInvalidOnes() {
        SqsQueueActions queue = new SqsQueueActions(client, queueUrl, deadLetterQueueUrl);
        for (String body : List.of("{\"n\": \"ok\"}", "{\"n\": \"defer\"}", "{\"n\": \"invalid ✉\"}\n")) {
            client.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
        }
        List<SQSEvent.SQSMessage> seen = new ArrayList<>();
        StringWriter progress = new StringWriter();

        SqsWorker.Totals totals = new SqsWorker(client, queueUrl, (records, remaining) -> {
            seen.addAll(records);
            List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
            for (SQSEvent.SQSMessage record : records) {
                if (record.getBody().contains("defer")) {
                    // LocalStack, like SQS, refuses a total beyond 12 hours from the receive.
                    queue.changeVisibility(record.getReceiptHandle(), Duration.ofHours(12));
                    failures.add(new SQSBatchResponse.BatchItemFailure(record.getMessageId()));
                } else if (record.getBody().contains("invalid")) {
                    queue.sendToDeadLetter(record.getMessageId(), record.getBody(), "to[0]: not an address");
                }
            }
            return new SQSBatchResponse(failures);
        }, new SqsWorker.Settings(Duration.ofSeconds(1), 10, Duration.ofSeconds(20)), new PrintWriter(progress),
                Clock.systemUTC()).runUntilEmpty();

        assertThat(totals.done()).isEqualTo(2);
        assertThat(totals.retried()).isEqualTo(1);
        assertThat(seen).allSatisfy(record -> {
            assertThat(record.getEventSource()).isEqualTo("aws:sqs");
            assertThat(record.getEventSourceArn()).endsWith(":directmx");
            assertThat(record.getAttributes()).containsEntry("ApproximateReceiveCount", "1")
                    .containsKey("SentTimestamp");
        });
        List<Message> dead = client.receiveMessage(b -> b.queueUrl(deadLetterQueueUrl).waitTimeSeconds(1)
                .messageAttributeNames("All")).messages();
        assertThat(dead).singleElement().satisfies(message -> {
            assertThat(message.body()).isEqualTo("{\"n\": \"invalid ✉\"}\n");
            assertThat(message.messageAttributes().get("directmx-error").stringValue())
                    .isEqualTo("to[0]: not an address");
        });
        assertThat(client.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(1)).messages())
                .as("the deferred record stays invisible, the others are gone").isEmpty();
    }
}
