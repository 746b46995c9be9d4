package dev.directmx.sandbox.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The embedded queue pair: names, redrive to the dead-letter queue, and a clean stop. */
class EmbeddedSqsTest {

    @Test
    void createsTheQueuePairOnLoopback() {
        try (EmbeddedSqs sqs = EmbeddedSqs.start()) {
            assertThat(sqs.endpoint().toString()).startsWith("http://127.0.0.1:");
            assertThat(sqs.queueUrl()).endsWith("/" + EmbeddedSqs.QUEUE_NAME);
            assertThat(sqs.deadLetterQueueUrl()).endsWith("/" + EmbeddedSqs.DEAD_LETTER_QUEUE_NAME);

            Map<QueueAttributeName, String> attributes = sqs.client().getQueueAttributes(b -> b.queueUrl(sqs.queueUrl())
                    .attributeNames(QueueAttributeName.ALL)).attributes();
            assertThat(attributes.get(QueueAttributeName.VISIBILITY_TIMEOUT)).isEqualTo("300");
            assertThat(attributes.get(QueueAttributeName.REDRIVE_POLICY))
                    .contains("arn:aws:sqs:us-east-1:000000000000:directmx-dlq").contains("30");
        }
    }

    @Test
    void messageReceivedTooOftenMovesToTheDeadLetterQueue() {
        try (EmbeddedSqs sqs = EmbeddedSqs.start(new EmbeddedSqs.Settings(2, Duration.ofSeconds(30)))) {
            SqsClient client = sqs.client();
            client.sendMessage(b -> b.queueUrl(sqs.queueUrl()).messageBody("{\"poison\": true}"));

            for (int receive = 1; receive <= 2; receive++) {
                Message message = receiveOne(client, sqs.queueUrl());
                client.changeMessageVisibility(b -> b.queueUrl(sqs.queueUrl()).receiptHandle(message.receiptHandle())
                        .visibilityTimeout(0));
            }

            assertThat(client.receiveMessage(b -> b.queueUrl(sqs.queueUrl()).waitTimeSeconds(0)).messages()).isEmpty();
            assertThat(receiveOne(client, sqs.deadLetterQueueUrl()).body()).isEqualTo("{\"poison\": true}");
        }
    }

    @Test
    void closeFreesThePortAndLeavesNoThreadThatKeepsTheJvmAlive() {
        List<Thread> before = nonDaemonThreads();
        EmbeddedSqs sqs = EmbeddedSqs.start();
        int port = sqs.endpoint().getPort();

        sqs.close();

        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        assertThat(nonDaemonThreads()).isSubsetOf(before);
    }

    private static Message receiveOne(SqsClient client, String queueUrl) {
        List<Message> messages = client.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(1)).messages();
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }

    private static List<Thread> nonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !t.isDaemon() && t.isAlive()).toList();
    }
}
