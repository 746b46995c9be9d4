package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.directmx.sandbox.sqs.EmbeddedSqs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** {@link SqsQueueActions} against a real SQS API (ElasticMQ over HTTP). */
class SqsQueueActionsTest {

    /** UTF-8 in three widths and a surrogate pair, LF and CRLF line ends, a tab and trailing spaces. */
    static final String AWKWARD_BODY = "{\"from\": \"Zoë <zoe@example.com>\",\n"
            + "\t\"to\": [\"José <j@exämple.org>\"],\r\n"
            + "  \"subject\": \"日本語 ✉ 😀\",  \n"
            + "\"text\": \"line 1\\nline 2\"}\n";

    private EmbeddedSqs sqs;
    private SqsClient client;
    private SqsQueueActions actions;

    @BeforeEach
    void start() {
        sqs = EmbeddedSqs.start();
        client = sqs.client();
        actions = new SqsQueueActions(client, sqs.queueUrl(), sqs.deadLetterQueueUrl());
    }

    @AfterEach
    void stop() {
        sqs.close();
    }

    @Test
    void changedVisibilityHidesTheRecordUntilTheDelayHasPassed() {
        client.sendMessage(b -> b.queueUrl(sqs.queueUrl()).messageBody("{}"));
        Message first = receive(sqs.queueUrl(), 1).get(0);

        actions.changeVisibility(first.receiptHandle(), Duration.ofSeconds(2));

        long hiddenAt = System.nanoTime();
        assertThat(receive(sqs.queueUrl(), 1)).isEmpty();
        Message again = receiveWithin(sqs.queueUrl(), Duration.ofSeconds(4));
        assertThat(Duration.ofNanos(System.nanoTime() - hiddenAt)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        assertThat(again.messageId()).isEqualTo(first.messageId());
        assertThat(again.attributesAsStrings()).containsEntry("ApproximateReceiveCount", "2");
    }

    @Test
    void zeroDelayMakesTheRecordVisibleAtOnce() {
        client.sendMessage(b -> b.queueUrl(sqs.queueUrl()).messageBody("{}"));
        Message first = receive(sqs.queueUrl(), 1).get(0);

        actions.changeVisibility(first.receiptHandle(), Duration.ZERO);

        assertThat(receive(sqs.queueUrl(), 1)).extracting(Message::messageId).containsExactly(first.messageId());
    }

    @Test
    void deadLetterKeepsTheBodyByteForByteWithTheErrorAndTheSourceMessageId() throws Exception {
        String error = "to[0]: 'because@i-can@example.com' is not a valid address";

        actions.sendToDeadLetter("source-id-1", AWKWARD_BODY, error);

        Message dead = receive(sqs.deadLetterQueueUrl(), 1).get(0);
        assertThat(dead.body()).isEqualTo(AWKWARD_BODY);
        // SQS computes MD5OfBody over the UTF-8 octets it stored: equal digests mean equal bytes.
        assertThat(dead.md5OfBody()).isEqualTo(md5(AWKWARD_BODY));
        assertThat(dead.messageAttributes()).containsOnlyKeys("directmx-error", "directmx-source-message-id");
        assertThat(dead.messageAttributes().get("directmx-error")).isEqualTo(text(error));
        assertThat(dead.messageAttributes().get("directmx-source-message-id")).isEqualTo(text("source-id-1"));
        assertThat(receive(sqs.queueUrl(), 0)).as("nothing goes to the source queue").isEmpty();
    }

    @Test
    void errorWithCharactersSqsRefusesIsEscapedRatherThanLosingTheBody() {
        actions.sendToDeadLetter("source-id-2", "{}", "headers.X-Evil: 'a\u0000b\u0007' has control characters");

        Message dead = receive(sqs.deadLetterQueueUrl(), 1).get(0);
        assertThat(dead.messageAttributes().get("directmx-error").stringValue())
                .isEqualTo("headers.X-Evil: 'a\\u0000b\\u0007' has control characters");
    }

    @Test
    void longErrorIsCutToAThousandCharacters() {
        String error = "x".repeat(998) + "😀😀😀";

        String text = SqsQueueActions.attributeText(error);

        assertThat(text).hasSize(999).endsWith("x…");
        assertThat(SqsQueueActions.attributeText("short")).isEqualTo("short");
    }

    @Test
    void delaysAreRoundedUpToWholeSecondsAndHeldWithinSqsTwelveHourLimit() {
        assertThat(SqsQueueActions.visibilitySeconds(Duration.ofSeconds(-5))).isZero();
        assertThat(SqsQueueActions.visibilitySeconds(Duration.ZERO)).isZero();
        assertThat(SqsQueueActions.visibilitySeconds(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(SqsQueueActions.visibilitySeconds(Duration.ofMillis(90_500))).isEqualTo(91);
        assertThat(SqsQueueActions.visibilitySeconds(Duration.ofHours(11))).isEqualTo(39_600);
        // SQS counts 12 hours from the receive, so 12 hours asked later would be refused.
        assertThat(SqsQueueActions.visibilitySeconds(Duration.ofHours(12))).isEqualTo(41_400);
        assertThat(SqsQueueActions.visibilitySeconds(Duration.ofDays(3))).isEqualTo(41_400);
    }

    @Test
    void delayOfDaysIsAcceptedAsTheLongestDelay() {
        client.sendMessage(b -> b.queueUrl(sqs.queueUrl()).messageBody("{}"));
        Message first = receive(sqs.queueUrl(), 1).get(0);

        actions.changeVisibility(first.receiptHandle(), Duration.ofDays(5));

        assertThat(receive(sqs.queueUrl(), 0)).isEmpty();
    }

    @Test
    void standardClientFollowsTheStandardEndpointSettings() {
        withSdkSettings(sqs.endpoint().toString(), () -> {
            try (SqsClient standard = SqsQueueActions.client()) {
                assertThat(standard.serviceClientConfiguration().region().id()).isEqualTo("eu-west-1");
                assertThat(standard.listQueues().queueUrls()).contains(sqs.queueUrl(), sqs.deadLetterQueueUrl());
            }
        });
    }

    @Test
    void clientOnFirstUseIsBuiltAtTheFirstCallNotBefore() {
        // Built now, this client would point at a port nobody listens on; the first call builds it
        // with the settings of that moment, which name ElasticMQ.
        withSdkSettings(NOBODY, () -> {
            SqsQueueActions lazy = SqsQueueActions.clientOnFirstUse(sqs.queueUrl(), sqs.deadLetterQueueUrl());
            System.setProperty(SQS_ENDPOINT, sqs.endpoint().toString());

            lazy.sendToDeadLetter("source-1", "{}", "bad JSON");

            assertThat(receive(sqs.deadLetterQueueUrl(), 1)).extracting(Message::body).containsExactly("{}");
        });
    }

    @Test
    void buildClientBuildsItAheadOfTheFirstCallWithTheSettingsOfThatMoment() {
        // What the SnapStart priming does: the client built then keeps the endpoint it was built
        // with, here a port nobody listens on, even after the setting changes.
        withSdkSettings(NOBODY, () -> {
            SqsQueueActions primed = SqsQueueActions.clientOnFirstUse(sqs.queueUrl(), sqs.deadLetterQueueUrl());
            primed.buildClient();
            System.setProperty(SQS_ENDPOINT, sqs.endpoint().toString());

            assertThatThrownBy(() -> primed.sendToDeadLetter("source-1", "{}", "bad JSON"))
                    .isInstanceOf(SdkClientException.class);
        });
    }

    /** The system-property twin of AWS_ENDPOINT_URL_SQS; the SDK reads both. */
    private static final String SQS_ENDPOINT = "aws.endpointUrlSqs";

    /** A loopback port nobody listens on. */
    private static final String NOBODY = "http://127.0.0.1:9";

    /**
     * Runs {@code body} with the SDK's standard settings (system properties) naming {@code
     * sqsEndpoint}, region eu-west-1 and test credentials; clears them afterwards.
     */
    private static void withSdkSettings(String sqsEndpoint, Runnable body) {
        Map<String, String> properties = Map.of(SQS_ENDPOINT, sqsEndpoint, "aws.region", "eu-west-1",
                "aws.accessKeyId", "test", "aws.secretAccessKey", "test");
        properties.forEach(System::setProperty);
        try {
            body.run();
        } finally {
            properties.keySet().forEach(System::clearProperty);
        }
    }

    private List<Message> receive(String queueUrl, int waitSeconds) {
        return client.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNamesWithStrings("All").messageAttributeNames("All")).messages();
    }

    private Message receiveWithin(String queueUrl, Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            List<Message> messages = receive(queueUrl, 1);
            if (!messages.isEmpty()) {
                return messages.get(0);
            }
        }
        throw new AssertionError("nothing received from " + queueUrl + " within " + limit);
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private static String md5(String body) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
    }
}
