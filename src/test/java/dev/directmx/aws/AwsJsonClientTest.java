package dev.directmx.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/** {@link AwsJsonClient} against a scripted HTTP server on loopback: requests, refusals, retries. */
class AwsJsonClientTest {

    private static final AwsJsonClient.Protocol DYNAMO = new AwsJsonClient.Protocol("dynamodb", "DynamoDb",
            "DynamoDB_20120810", "1.0");

    /** Three attempts with no real pause: the tests are about which calls are retried, not when. */
    private static final AwsJsonClient.Retries FAST = new AwsJsonClient.Retries(3, Duration.ofMillis(1),
            Duration.ofMillis(2));

    private HttpServer server;
    private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private AwsJsonClient client;

    /** A scripted answer: status and body, or the connection closed with no answer. */
    private record Answer(int status, String body) {
        static final Answer DROP = new Answer(-1, null);
    }

    private record Received(String target, String contentType, String authorization, String amzDate, String body) {
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        client = client(endpoint());
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
    }

    private static AwsJsonClient client(URI endpoint) {
        return client(endpoint, Clock.systemUTC());
    }

    private static AwsJsonClient client(URI endpoint, Clock clock) {
        return new AwsJsonClient(DYNAMO, endpoint, Region.EU_WEST_3,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")),
                UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(1)).build(), FAST,
                AwsJsonClient.Bounds.NONE, clock);
    }

    private URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** X-Amz-Date: {@code 20261130T221500Z}. */
    private static Instant amzDate(Received request) {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
                .parse(request.amzDate(), Instant::from);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestHeaders().getFirst("X-Amz-Target"),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("X-Amz-Date"), new String(body, StandardCharsets.UTF_8)));
            Answer answer = answers.poll();
            if (answer == null || answer == Answer.DROP) {
                // No status line at all: the client sees the connection end, as when a load balancer drops it.
                return;
            }
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
            exchange.getResponseHeaders().set("x-amzn-RequestId", "REQ" + received.size());
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String error(String type, String message) {
        return "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + type + "\",\"message\":\"" + message + "\"}";
    }

    @Test
    void answerBodyComesBackAndTheRequestIsSignedForTheServiceAndRegion() {
        answers.add(new Answer(200, "{\"Item\":{}}"));

        byte[] answer = client.call("GetItem", "{\"TableName\":\"t\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("{\"Item\":{}}");
        Received request = received.get(0);
        assertThat(request.target()).isEqualTo("DynamoDB_20120810.GetItem");
        assertThat(request.contentType()).isEqualTo("application/x-amz-json-1.0");
        assertThat(request.body()).isEqualTo("{\"TableName\":\"t\"}");
        assertThat(request.authorization()).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                .contains("/eu-west-3/dynamodb/aws4_request").contains("x-amz-target").doesNotContain("secret");
    }

    @Test
    void throttlingIsRetriedAndTheLaterAnswerCounts() {
        answers.add(new Answer(400, error("ProvisionedThroughputExceededException", "slow down")));
        answers.add(new Answer(400, error("ThrottlingException", "slow down")));
        answers.add(new Answer(200, "{}"));

        assertThat(client.call("PutItem", new byte[] {'{', '}'})).containsExactly('{', '}');
        assertThat(received).hasSize(3);
    }

    @Test
    void serverErrorsAreRetriedUpToTheLimitThenReportedWithTheirCode() {
        for (int i = 0; i < 5; i++) {
            answers.add(new Answer(500, error("InternalServerError", "try again")));
        }

        assertThatThrownBy(() -> client.call("PutItem", new byte[] {'{', '}'}))
                .isInstanceOfSatisfying(AwsServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(500);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InternalServerError");
                    assertThat(e.awsErrorDetails().serviceName()).isEqualTo("DynamoDb");
                    assertThat(e.requestId()).isEqualTo("REQ3");
                });
        assertThat(received).hasSize(3);
    }

    @Test
    void aRefusalThatTimeCannotClearIsNotRetried() {
        answers.add(new Answer(400, error("ConditionalCheckFailedException", "The conditional request failed")));

        assertThatThrownBy(() -> client.call("PutItem", new byte[] {'{', '}'}))
                .isInstanceOfSatisfying(AwsServiceException.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ConditionalCheckFailedException");
                    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The conditional request failed");
                    assertThat(e.isThrottlingException()).isFalse();
                });
        assertThat(received).hasSize(1);
    }

    @Test
    void aDroppedConnectionIsRetried() {
        answers.add(Answer.DROP);
        answers.add(new Answer(200, "{\"ok\":true}"));

        assertThat(new String(client.call("Query", new byte[] {'{', '}'}), StandardCharsets.UTF_8))
                .isEqualTo("{\"ok\":true}");
        assertThat(received).hasSize(2);
    }

    @Test
    void anUnreachableEndpointIsAClientErrorNamingTheOperationAndEndpoint() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        try (AwsJsonClient nowhere = client(URI.create("http://127.0.0.1:" + closed))) {
            assertThatThrownBy(() -> nowhere.call("PutItem", new byte[] {'{', '}'}))
                    .isInstanceOf(SdkClientException.class)
                    .hasMessageContaining("DynamoDb PutItem got no answer from http://127.0.0.1:" + closed)
                    .hasMessageContaining("after 3 attempts");
        }
    }

    @Test
    void anErrorPageThatIsNotJsonKeepsItsStatusAndIsRetriedWhenItIsA5xx() {
        answers.add(new Answer(503, "<html>Service Unavailable</html>"));
        answers.add(new Answer(200, "{}"));

        client.call("PutItem", new byte[] {'{', '}'});

        assertThat(received).hasSize(2);
    }

    @Test
    void aSignatureRefusedForItsTimeIsSignedAgainByTheServersClockAndLaterCallsKeepIt() {
        // This machine's clock is an hour slow; the server's Date (set by HttpServer) is right.
        try (AwsJsonClient slow = client(endpoint(), Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)))) {
            answers.add(new Answer(400, error("InvalidSignatureException",
                    "Signature expired: 20261130T211500Z is now earlier than 20261130T221000Z")));
            answers.add(new Answer(200, "{}"));
            answers.add(new Answer(200, "{}"));

            slow.call("PutItem", new byte[] {'{', '}'});
            slow.call("PutItem", new byte[] {'{', '}'});
        }

        assertThat(received).hasSize(3);
        Instant now = Instant.now();
        assertThat(Duration.between(amzDate(received.get(0)), now)).isBetween(Duration.ofMinutes(59), Duration.ofMinutes(61));
        assertThat(Duration.between(amzDate(received.get(1)), now).abs()).isLessThan(Duration.ofMinutes(1));
        assertThat(Duration.between(amzDate(received.get(2)), now).abs()).isLessThan(Duration.ofMinutes(1));
    }

    @Test
    void aBadSignatureWithClocksThatAgreeIsNotSignedAgain() {
        answers.add(new Answer(400, error("InvalidSignatureException", "The request signature we calculated does not match")));

        assertThatThrownBy(() -> client.call("PutItem", new byte[] {'{', '}'})).isInstanceOf(AwsServiceException.class)
                .hasMessageContaining("does not match");
        assertThat(received).hasSize(1);
    }

    @Test
    void httpDatesAreReadAsImfFixdate() {
        assertThat(AwsJsonClient.httpDate("Mon, 30 Nov 2026 22:15:00 GMT"))
                .contains(Instant.parse("2026-11-30T22:15:00Z"));
        assertThat(AwsJsonClient.httpDate("yesterday")).isEmpty();
    }

    @Test
    void anAnswerOverTheSizeBoundIsRefusedWithoutQuotingIt() {
        answers.add(new Answer(200, "{\"Value\":\"" + "k".repeat(200) + "\"}"));
        try (AwsJsonClient bounded = new AwsJsonClient(DYNAMO, endpoint(), Region.EU_WEST_3,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")),
                UrlConnectionHttpClient.create(), FAST, new AwsJsonClient.Bounds(null, 100))) {
            assertThatThrownBy(() -> bounded.call("GetItem", new byte[] {'{', '}'}))
                    .isInstanceOf(SdkClientException.class).hasMessageContaining("larger than 100 bytes")
                    .hasMessageNotContaining("kkk");
        }
    }

    @Test
    void aStalledAnswerIsCutOffAtTheCallTimeout() throws IOException {
        // A server that accepts the connection and never answers.
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                AwsJsonClient bounded = new AwsJsonClient(DYNAMO, URI.create("http://127.0.0.1:" + silent.getLocalPort()),
                        Region.EU_WEST_3, StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")),
                        UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).build(), FAST,
                        new AwsJsonClient.Bounds(Duration.ofMillis(300), Integer.MAX_VALUE))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> bounded.call("GetItem", new byte[] {'{', '}'}))
                    .isInstanceOf(ApiCallTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not the 30 s read timeout")
                    .isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void errorTypesAreReadAsTheirBareCodes() {
        assertThat(AwsJsonClient.errorCode("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"))
                .isEqualTo("ResourceNotFoundException");
        assertThat(AwsJsonClient.errorCode("ParameterNotFound:http://internal.amazon.com/coral/com.amazon.ssm/"))
                .isEqualTo("ParameterNotFound");
        assertThat(AwsJsonClient.errorCode(" ThrottlingException ")).isEqualTo("ThrottlingException");
    }

    @Test
    void backoffStaysInTheUpperHalfOfItsDoublingStep() {
        AwsJsonClient.Retries retries = new AwsJsonClient.Retries(5, Duration.ofMillis(25), Duration.ofSeconds(1));
        for (int i = 0; i < 200; i++) {
            assertThat(retries.backoff(1)).isBetween(Duration.ofNanos(12_500_000), Duration.ofMillis(25));
            assertThat(retries.backoff(3)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(retries.backoff(30)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        }
    }
}
