package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.directmx.dkim.KeySource;
import dev.directmx.dkim.KeyUnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * {@link AwsKeyMaterial} with the real SDK clients against {@link FakeAws}, an in-JVM server on
 * loopback that speaks the AWS JSON 1.1 protocol of both services. The key is a recognisable
 * fake PEM, so that any message quoting it would show.
 */
class AwsKeyMaterialTest {

    /** Marks the fake key: no message directmx or AWS writes contains it. */
    private static final String MARKER = "FAKEdirectmxKEYneverInAMessage";

    private static final String PEM = "-----BEGIN PRIVATE KEY-----\n"
            + "MC4CAQAwBQYDK2VwBCIEI" + MARKER + "AAAAAAAAAAAA\n"
            + "-----END PRIVATE KEY-----\n";

    private static final String OTHER_PEM = PEM.replace(MARKER, MARKER + "Two");

    /** Not the SDK's default, so that a message naming the region is seen to name the right one. */
    private static final Region REGION = Region.EU_WEST_3;

    private static final String SECRET_TARGET = "secretsmanager.GetSecretValue";
    private static final String PARAMETER_TARGET = "AmazonSSM.GetParameter";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicInteger secretsClientsBuilt = new AtomicInteger();
    private final AtomicInteger ssmClientsBuilt = new AtomicInteger();
    private FakeAws aws;
    private AwsKeyMaterial material;

    @BeforeEach
    void start() throws IOException {
        aws = FakeAws.start();
        material = materialAt(aws.endpoint());
    }

    @AfterEach
    void stop() {
        material.close();
        aws.stop();
    }

    @Test
    void secretStringComesBackIntactAndTheRequestNamesTheSecret() throws Exception {
        aws.answer(SECRET_TARGET, "dkim/example.com/rsa2026", 200, secretString(PEM));

        String key = material.read(new KeySource.SecretsManager("dkim/example.com/rsa2026"));

        assertThat(key).isEqualTo(PEM);
        assertThat(aws.requests()).singleElement().satisfies(request -> {
            assertThat(request.target()).isEqualTo(SECRET_TARGET);
            assertThat(request.body().path("SecretId").asText()).isEqualTo("dkim/example.com/rsa2026");
        });
    }

    @Test
    void secretBinaryIsReadAsUtf8Text() throws Exception {
        String base64 = Base64.getEncoder().encodeToString(PEM.getBytes(StandardCharsets.UTF_8));
        aws.answer(SECRET_TARGET, "binary", 200, json(Map.of("Name", "binary", "SecretBinary", base64)));

        assertThat(material.read(new KeySource.SecretsManager("binary"))).isEqualTo(PEM);
    }

    @Test
    void secretBinaryThatIsNotUtf8IsRefusedWithoutQuotingIt() {
        // The key's text followed by a byte UTF-8 never uses: a message showing "what was found"
        // would show the key.
        byte[] text = PEM.getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = Arrays.copyOf(text, text.length + 1);
        bytes[text.length] = (byte) 0xff;
        aws.answer(SECRET_TARGET, "der", 200, json(Map.of("Name", "der",
                "SecretBinary", Base64.getEncoder().encodeToString(bytes))));

        KeyUnavailableException e = failureOf(new KeySource.SecretsManager("der"));

        assertThat(e).hasMessageContaining("secretsmanager:der").hasMessageContaining("not UTF-8 text");
        assertNoKeyIn(e);
    }

    @Test
    void parameterComesBackIntactAndIsReadWithDecryption() throws Exception {
        aws.answer(PARAMETER_TARGET, "/directmx/dkim/example.com/ed2026", 200, parameter(
                "/directmx/dkim/example.com/ed2026", PEM));

        String key = material.read(new KeySource.ParameterStore("/directmx/dkim/example.com/ed2026"));

        assertThat(key).isEqualTo(PEM);
        assertThat(aws.requests()).singleElement().satisfies(request -> {
            assertThat(request.target()).isEqualTo(PARAMETER_TARGET);
            assertThat(request.body().path("Name").asText()).isEqualTo("/directmx/dkim/example.com/ed2026");
            assertThat(request.body().path("WithDecryption").isBoolean()).isTrue();
            assertThat(request.body().path("WithDecryption").booleanValue()).isTrue();
        });
    }

    @Test
    void eachClientIsBuiltOnFirstUseAndReusedForTheNextKey() throws Exception {
        aws.answer(SECRET_TARGET, "rsa", 200, secretString(PEM));
        aws.answer(SECRET_TARGET, "ed", 200, secretString(OTHER_PEM));
        assertThat(secretsClientsBuilt).hasValue(0);

        assertThat(material.read(new KeySource.SecretsManager("rsa"))).isEqualTo(PEM);
        assertThat(material.read(new KeySource.SecretsManager("ed"))).isEqualTo(OTHER_PEM);

        assertThat(aws.requests()).hasSize(2);
        assertThat(secretsClientsBuilt).hasValue(1);
        assertThat(ssmClientsBuilt).as("no SSM key was read").hasValue(0);
    }

    @Test
    void closeReleasesTheClientsAndALaterReadBuildsANewOne() throws Exception {
        aws.answer(PARAMETER_TARGET, "/k", 200, parameter("/k", PEM));
        material.read(new KeySource.ParameterStore("/k"));

        material.close();

        assertThat(material.read(new KeySource.ParameterStore("/k"))).isEqualTo(PEM);
        assertThat(ssmClientsBuilt).hasValue(2);
    }

    @Test
    void concurrentFirstReadsBuildOneClient() throws Exception {
        aws.answer(PARAMETER_TARGET, "/k", 200, parameter("/k", PEM));
        List<Thread> threads = new ArrayList<>();
        List<String> keys = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.startVirtualThread(() -> {
                try {
                    keys.add(material.read(new KeySource.ParameterStore("/k")));
                } catch (KeyUnavailableException e) {
                    throw new AssertionError(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(keys).hasSize(8).containsOnly(PEM);
        assertThat(ssmClientsBuilt).hasValue(1);
    }

    @Test
    void missingSecretNamesTheSourceTheRegionAndWhatToCheck() {
        KeyUnavailableException e = failureOf(new KeySource.SecretsManager("dkim/typo"));

        assertThat(e).hasMessageContaining("secretsmanager:dkim/typo")
                .hasMessageContaining("ResourceNotFoundException")
                .hasMessageContaining("the secret's name or ARN")
                .hasMessageContaining("is in eu-west-3");
    }

    @Test
    void missingParameterNamesTheSourceTheRegionAndWhatToCheck() {
        KeyUnavailableException e = failureOf(new KeySource.ParameterStore("/directmx/dkim/typo"));

        assertThat(e).hasMessageContaining("ssm:/directmx/dkim/typo")
                .hasMessageContaining("ParameterNotFound")
                .hasMessageContaining("the parameter's full name")
                .hasMessageContaining("is in eu-west-3");
    }

    @Test
    void deniedSecretSaysWhichPermissionToGrantTheRole() {
        aws.answer(SECRET_TARGET, "locked", 400, error("AccessDeniedException", "User: arn:aws:sts::123456789012:"
                + "assumed-role/directmx/fn is not authorized to perform: secretsmanager:GetSecretValue"));

        KeyUnavailableException e = failureOf(new KeySource.SecretsManager("locked"));

        assertThat(e).hasMessageContaining("secretsmanager:locked")
                .hasMessageContaining("AccessDeniedException")
                .hasMessageContaining("Grant the function's role secretsmanager:GetSecretValue on this secret")
                .hasMessageContaining("kms:Decrypt")
                .hasMessageContaining("is not authorized to perform");
    }

    @Test
    void deniedParameterSaysWhichPermissionToGrantTheRole() {
        aws.answer(PARAMETER_TARGET, "/locked", 400, error("AccessDeniedException", "not authorized"));

        KeyUnavailableException e = failureOf(new KeySource.ParameterStore("/locked"));

        assertThat(e).hasMessageContaining("ssm:/locked")
                .hasMessageContaining("AccessDeniedException")
                .hasMessageContaining("Grant the function's role ssm:GetParameter on this parameter")
                .hasMessageContaining("kms:Decrypt");
    }

    @Test
    void undecryptableSecretPointsAtTheKmsKey() {
        aws.answer(SECRET_TARGET, "kms", 400, error("DecryptionFailure", "cannot decrypt"));

        assertThat(failureOf(new KeySource.SecretsManager("kms"))).hasMessageContaining("DecryptionFailure")
                .hasMessageContaining("kms:Decrypt on that customer-managed key");
    }

    @Test
    void secretWithNeitherStringNorBinarySaysSo() {
        aws.answer(SECRET_TARGET, "empty", 200, json(Map.of("Name", "empty")));

        assertThat(failureOf(new KeySource.SecretsManager("empty"))).hasMessageContaining("secretsmanager:empty")
                .hasMessageContaining("neither a SecretString nor a SecretBinary");
    }

    @Test
    void parameterAnswerWithoutAValueSaysSo() {
        aws.answer(PARAMETER_TARGET, "/hollow", 200, "{}");

        assertThat(failureOf(new KeySource.ParameterStore("/hollow"))).hasMessageContaining("ssm:/hollow")
                .hasMessageContaining("held no parameter value");
    }

    @Test
    void serviceErrorIsReportedAsTransient() {
        aws.answer(PARAMETER_TARGET, "/busy", 500, error("InternalServerError", "try later"));

        assertThat(failureOf(new KeySource.ParameterStore("/busy"))).hasMessageContaining("ssm:/busy")
                .hasMessageContaining("InternalServerError").hasMessageContaining("transient");
    }

    @Test
    void unreachableServiceIsReportedAsTransient() throws Exception {
        URI closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        try (AwsKeyMaterial nowhere = materialAt(closed)) {
            KeyUnavailableException e = catchThrowableOfType(KeyUnavailableException.class,
                    () -> nowhere.read(new KeySource.SecretsManager("any")));

            assertThat(e).hasMessageContaining("secretsmanager:any").hasMessageContaining("eu-west-3")
                    .hasMessageContaining("transient");
        }
    }

    @Test
    void garbledAnswerCarryingTheKeyDoesNotQuoteIt() {
        // A response cut off after the value: whatever the SDK's parser says about it, the key
        // must reach neither the message nor any cause a log could print.
        String whole = secretString(PEM);
        aws.answer(SECRET_TARGET, "cut", 200, whole.substring(0, whole.length() - 1) + ",\"Name\":");
        aws.answer(PARAMETER_TARGET, "/cut", 200, "{\"Parameter\":{\"Value\":" + quoted(PEM) + ",");
        // And one whose value lost its quotes: a JSON parser names the token it cannot read.
        aws.answer(SECRET_TARGET, "bare", 200, "{\"SecretString\": " + MARKER + "}");
        // And an error whose body is not JSON at all (a proxy's page, say) but holds the key.
        aws.answer(PARAMETER_TARGET, "/page", 502, "<html>" + PEM + "</html>");

        for (KeySource source : List.of(new KeySource.SecretsManager("cut"), new KeySource.ParameterStore("/cut"),
                new KeySource.SecretsManager("bare"), new KeySource.ParameterStore("/page"))) {
            KeyUnavailableException e = failureOf(source);
            assertThat(e).hasMessageContaining(source.describe()).hasMessageContaining("transient");
            assertNoKeyIn(e);
        }
    }

    @Test
    void localSourcesAreNotReadFromAws() {
        assertThatThrownBy(() -> material.read(new KeySource.Environment("DKIM_KEY")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("env:DKIM_KEY");
        assertThatThrownBy(() -> material.read(new KeySource.File(Path.of("/etc/dkim.pem"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("file:/etc/dkim.pem");
        assertThat(aws.requests()).isEmpty();
    }

    @Test
    void productionClientsTakeTheirEndpointsFromTheStandardSdkSettings() throws Exception {
        // aws.endpointUrlSecretsManager and aws.endpointUrlSsm are the system-property forms of
        // AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_SSM, read by the same SDK code.
        aws.answer(SECRET_TARGET, "s", 200, secretString(PEM));
        aws.answer(PARAMETER_TARGET, "/p", 200, parameter("/p", OTHER_PEM));
        Properties saved = (Properties) System.getProperties().clone();
        try {
            System.setProperty("aws.endpointUrlSecretsManager", aws.endpoint().toString());
            System.setProperty("aws.endpointUrlSsm", aws.endpoint().toString());
            System.setProperty("aws.region", REGION.id());
            System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
            System.setProperty("aws.secretAccessKey", "not-a-real-secret");
            try (AwsKeyMaterial fromEnvironment = AwsKeyMaterial.fromEnvironment()) {
                assertThat(fromEnvironment.read(new KeySource.SecretsManager("s"))).isEqualTo(PEM);
                assertThat(fromEnvironment.read(new KeySource.ParameterStore("/p"))).isEqualTo(OTHER_PEM);
            }
        } finally {
            System.setProperties(saved);
        }
        assertThat(aws.requests()).extracting(Request::target).containsExactly(SECRET_TARGET, PARAMETER_TARGET);
    }

    // ---- helpers

    private AwsKeyMaterial materialAt(URI endpoint) {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create("AKIDEXAMPLE", "not-a-real-secret"));
        return new AwsKeyMaterial(
                () -> {
                    secretsClientsBuilt.incrementAndGet();
                    return SecretsManagerClient.builder().endpointOverride(endpoint).region(REGION)
                            .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder())
                            .build();
                },
                () -> {
                    ssmClientsBuilt.incrementAndGet();
                    return SsmClient.builder().endpointOverride(endpoint).region(REGION)
                            .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder())
                            .build();
                });
    }

    private KeyUnavailableException failureOf(KeySource source) {
        KeyUnavailableException e = catchThrowableOfType(KeyUnavailableException.class, () -> material.read(source));
        assertThat(e).as("reading %s fails", source.describe()).isNotNull();
        return e;
    }

    /** Neither the exception nor any cause or suppressed exception holds the key. */
    private static void assertNoKeyIn(Throwable thrown) {
        List<Throwable> pending = new ArrayList<>(List.of(thrown));
        while (!pending.isEmpty()) {
            Throwable t = pending.removeLast();
            assertThat(String.valueOf(t.getMessage())).doesNotContain(MARKER);
            assertThat(t.toString()).doesNotContain(MARKER);
            if (t.getCause() != null) {
                pending.add(t.getCause());
            }
            pending.addAll(List.of(t.getSuppressed()));
        }
    }

    private static String secretString(String value) {
        return json(Map.of("ARN", "arn:aws:secretsmanager:eu-west-3:123456789012:secret:k-AbCdEf",
                "Name", "k", "VersionId", "v1", "SecretString", value, "VersionStages", List.of("AWSCURRENT")));
    }

    private static String parameter(String name, String value) {
        return json(Map.of("Parameter", Map.of("Name", name, "Type", "SecureString", "Value", value,
                "Version", 1, "ARN", "arn:aws:ssm:eu-west-3:123456789012:parameter" + name)));
    }

    private static String error(String type, String message) {
        return json(Map.of("__type", type, "message", message));
    }

    private static String quoted(String text) {
        return json(text);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One request as the fake service received it. */
    record Request(String target, JsonNode body) { }

    /**
     * Secrets Manager and SSM as far as their JSON 1.1 protocol goes: the operation is in the
     * {@code X-Amz-Target} header, the parameters in the JSON body, an error is a 4xx or 5xx with
     * {@code __type}. Answers are set per operation and secret id (or parameter name); any other
     * name is not found, as in AWS.
     */
    static final class FakeAws {

        private final HttpServer server;
        private final Map<String, Answer> answers = new ConcurrentHashMap<>();
        private final List<Request> requests = new CopyOnWriteArrayList<>();

        private record Answer(int status, String body) { }

        private FakeAws(HttpServer server) {
            this.server = server;
        }

        static FakeAws start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            FakeAws aws = new FakeAws(server);
            server.createContext("/", aws::handle);
            server.start();
            return aws;
        }

        URI endpoint() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        void answer(String target, String name, int status, String body) {
            answers.put(target + " " + name, new Answer(status, body));
        }

        List<Request> requests() {
            return List.copyOf(requests);
        }

        void stop() {
            server.stop(0);
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
                JsonNode body = JSON.readTree(exchange.getRequestBody());
                requests.add(new Request(target, body));
                String name = body.path(target.equals(SECRET_TARGET) ? "SecretId" : "Name").asText();
                Answer answer = answers.getOrDefault(target + " " + name, notFound(target, name));
                byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
                exchange.sendResponseHeaders(answer.status(), bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }

        private static Answer notFound(String target, String name) {
            return switch (target) {
                case SECRET_TARGET -> new Answer(400, error("ResourceNotFoundException",
                        "Secrets Manager can't find the specified secret."));
                case PARAMETER_TARGET -> new Answer(400, error("ParameterNotFound", "Parameter " + name
                        + " not found."));
                default -> new Answer(400, error("UnknownOperationException", target));
            };
        }
    }
}
