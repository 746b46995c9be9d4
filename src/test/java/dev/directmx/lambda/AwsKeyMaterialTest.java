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
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * {@link AwsKeyMaterial} with the real clients (the SDK's for Secrets Manager, {@link
 * ParameterStoreClient} for SSM) against {@link FakeAws}, an in-JVM server on loopback that
 * speaks the AWS JSON 1.1 protocol of both services. The key is a recognisable fake PEM, so that
 * any message quoting it would show.
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

    private static final String ACCESS_KEY = "AKIDEXAMPLE";
    private static final String SECRET_KEY = "not-a-real-secret";
    private static final String SESSION_TOKEN = "a-session-token-as-lambda-has";

    /**
     * Short enough that a test never waits long, long enough for a loaded build machine: the
     * retry pause is 10 ms, the whole call 3 s.
     */
    private static final AwsCallLimits TEST_LIMITS = new AwsCallLimits(Duration.ofSeconds(1), Duration.ofSeconds(3),
            Duration.ofSeconds(3), Duration.ofMillis(10));

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
        assertThat(aws.requests()).as("a refusal is not retried").hasSize(1);
    }

    @Test
    void errorTypeWithANamespaceIsReadAsItsCode() {
        // SSM's __type may name the code within its namespace, as the SDK's parser knows.
        aws.answer(PARAMETER_TARGET, "/typo", 400, error("com.amazonaws.ssm#ParameterNotFound", "not found"));

        assertThat(failureOf(new KeySource.ParameterStore("/typo"))).hasMessageContaining("answered ParameterNotFound")
                .hasMessageContaining("the parameter's full name");
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
        assertThat(aws.requests()).as("one retry, no more").hasSize(2);
    }

    @Test
    void throttledParameterReadIsRetriedOnce() throws Exception {
        aws.answerOnce(PARAMETER_TARGET, "/k", 400, error("ThrottlingException", "Rate exceeded"));
        aws.answer(PARAMETER_TARGET, "/k", 200, parameter("/k", PEM));

        assertThat(material.read(new KeySource.ParameterStore("/k"))).isEqualTo(PEM);
        assertThat(aws.requests()).hasSize(2);
    }

    @Test
    void stalledServicesAreCutOffAtTheCallTimeout() throws Exception {
        aws.stall(SECRET_TARGET, "s");
        aws.stall(PARAMETER_TARGET, "/p");
        AwsCallLimits limits = new AwsCallLimits(Duration.ofSeconds(1), Duration.ofSeconds(10),
                Duration.ofMillis(500), Duration.ofMillis(10));
        Properties saved = (Properties) System.getProperties().clone();
        try {
            pointTheSdkSettingsAt(aws.endpoint());
            try (AwsKeyMaterial fromEnvironment = AwsKeyMaterial.fromEnvironment(limits)) {
                for (KeySource source : List.of(new KeySource.SecretsManager("s"), new KeySource.ParameterStore("/p"))) {
                    long start = System.nanoTime();
                    KeyUnavailableException e = catchThrowableOfType(KeyUnavailableException.class,
                            () -> fromEnvironment.read(source));
                    Duration took = Duration.ofNanos(System.nanoTime() - start);

                    assertThat(e).as(source.describe()).hasMessageContaining(source.describe())
                            .hasMessageContaining("ApiCallTimeoutException").hasMessageContaining("transient");
                    assertThat(took).as("the 10 s read timeout is not what ended it").isLessThan(Duration.ofSeconds(5));
                }
            }
        } finally {
            System.setProperties(saved);
        }
    }

    @Test
    void unreachableServiceIsReportedAsTransient() throws Exception {
        URI closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        try (AwsKeyMaterial nowhere = materialAt(closed)) {
            for (KeySource source : List.of(new KeySource.SecretsManager("any"), new KeySource.ParameterStore("/any"))) {
                KeyUnavailableException e = catchThrowableOfType(KeyUnavailableException.class,
                        () -> nowhere.read(source));

                assertThat(e).as(source.describe()).hasMessageContaining(source.describe())
                        .hasMessageContaining("eu-west-3").hasMessageContaining("transient");
            }
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
            pointTheSdkSettingsAt(aws.endpoint());
            try (AwsKeyMaterial fromEnvironment = AwsKeyMaterial.fromEnvironment()) {
                assertThat(fromEnvironment.read(new KeySource.SecretsManager("s"))).isEqualTo(PEM);
                assertThat(fromEnvironment.read(new KeySource.ParameterStore("/p"))).isEqualTo(OTHER_PEM);
            }
        } finally {
            System.setProperties(saved);
        }
        assertThat(aws.requests()).extracting(Request::target).containsExactly(SECRET_TARGET, PARAMETER_TARGET);
    }

    @Test
    void productionSsmEndpointFollowsTheRegionsPartition() {
        // Only where no endpoint is configured: AWS_ENDPOINT_URL would rightly win.
        Assumptions.assumeTrue(System.getenv("AWS_ENDPOINT_URL") == null
                && System.getenv("AWS_ENDPOINT_URL_SSM") == null, "an endpoint is configured");

        assertThat(ParameterStoreClient.endpointFor(Region.EU_WEST_3))
                .isEqualTo(URI.create("https://ssm.eu-west-3.amazonaws.com"));
        assertThat(ParameterStoreClient.endpointFor(Region.CN_NORTH_1))
                .isEqualTo(URI.create("https://ssm.cn-north-1.amazonaws.com.cn"));
        assertThat(ParameterStoreClient.endpointFor(Region.US_GOV_WEST_1))
                .isEqualTo(URI.create("https://ssm.us-gov-west-1.amazonaws.com"));
    }

    // ---- SigV4

    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})");

    @Test
    void parameterRequestIsSignedWithSigV4AsAwsWouldCheckIt() throws Exception {
        aws.answer(PARAMETER_TARGET, "/k", 200, parameter("/k", PEM));

        material.read(new KeySource.ParameterStore("/k"));

        Request request = aws.requests().getFirst();
        String amzDate = request.header("X-Amz-Date");
        assertThat(amzDate).as("X-Amz-Date").matches("\\d{8}T\\d{6}Z");
        Instant signedAt = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX").parse(amzDate, Instant::from);
        // AWS refuses a signature more than 5 minutes from its own clock.
        assertThat(Duration.between(signedAt, Instant.now()).abs()).isLessThan(Duration.ofMinutes(5));
        String day = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC).format(signedAt);

        String authorization = request.header("Authorization");
        assertThat(authorization)
                .startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/" + day + "/eu-west-3/ssm/aws4_request");
        Matcher parts = AUTHORIZATION.matcher(authorization);
        assertThat(parts.matches()).as(authorization).isTrue();
        List<String> signedHeaders = List.of(parts.group(2).split(";"));
        assertThat(signedHeaders).contains("host", "x-amz-date", "x-amz-target", "content-type",
                "x-amz-security-token").isSorted();
        assertThat(request.header("X-Amz-Security-Token")).isEqualTo(SESSION_TOKEN);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/");
        assertThat(request.query()).isNull();

        String expected = SigV4.signature(SECRET_KEY, request.method(), request.path(), "", request.headers(),
                signedHeaders, request.raw(), amzDate, REGION.id(), "ssm");
        assertThat(parts.group(3)).as("the signature AWS would compute").isEqualTo(expected);
    }

    @Test
    void handMadeSigV4MatchesAwsTestSuitePostVanilla() {
        // The post-vanilla case of AWS's Signature Version 4 test suite: it proves SigV4 below,
        // which the test above relies on, and not the SDK's signer.
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Host", List.of("example.amazonaws.com"));
        headers.put("X-Amz-Date", List.of("20150830T123600Z"));

        assertThat(SigV4.signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "POST", "/", "", headers,
                List.of("host", "x-amz-date"), new byte[0], "20150830T123600Z", "us-east-1", "service"))
                .isEqualTo("5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
    }

    /**
     * AWS Signature Version 4 as AWS documents it ("Create a signed AWS API request"), written
     * here without the SDK: canonical request, string to sign, HMAC-SHA256 key chain. Enough for
     * a request without a query string whose path needs no encoding.
     */
    static final class SigV4 {

        static String signature(String secretKey, String method, String path, String query,
                Map<String, List<String>> headers, List<String> signedHeaders, byte[] body, String amzDate,
                String region, String service) {
            StringBuilder canonicalHeaders = new StringBuilder();
            for (String name : signedHeaders) {
                String value = headers.get(name).stream().map(v -> v.strip().replaceAll(" +", " "))
                        .collect(Collectors.joining(","));
                canonicalHeaders.append(name).append(':').append(value).append('\n');
            }
            String canonicalRequest = String.join("\n", method, path, query, canonicalHeaders,
                    String.join(";", signedHeaders), hex(sha256(body)));
            String day = amzDate.substring(0, 8);
            String scope = day + "/" + region + "/" + service + "/aws4_request";
            String stringToSign = String.join("\n", "AWS4-HMAC-SHA256", amzDate, scope,
                    hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8))));
            byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), day);
            for (String step : List.of(region, service, "aws4_request")) {
                key = hmac(key, step);
            }
            return hex(hmac(key, stringToSign));
        }

        private static byte[] sha256(byte[] bytes) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(bytes);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private static byte[] hmac(byte[] key, String data) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private static String hex(byte[] bytes) {
            return HexFormat.of().formatHex(bytes);
        }
    }

    // ---- helpers

    private AwsKeyMaterial materialAt(URI endpoint) {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsSessionCredentials.create(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN));
        return new AwsKeyMaterial(
                () -> {
                    secretsClientsBuilt.incrementAndGet();
                    return SecretsManagerClient.builder().endpointOverride(endpoint).region(REGION)
                            .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder())
                            .build();
                },
                () -> {
                    ssmClientsBuilt.incrementAndGet();
                    return new ParameterStoreClient(endpoint, REGION, credentials, TEST_LIMITS);
                });
    }

    /** The standard SDK settings, in their system-property form, pointing both services at {@code endpoint}. */
    private static void pointTheSdkSettingsAt(URI endpoint) {
        System.setProperty("aws.endpointUrlSecretsManager", endpoint.toString());
        System.setProperty("aws.endpointUrlSsm", endpoint.toString());
        System.setProperty("aws.region", REGION.id());
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
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

    /**
     * One request as the fake service received it: the operation and its JSON parameters, and
     * what a SigV4 check needs (headers keyed case-insensitively, the raw body).
     */
    record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] raw,
            String target, JsonNode body) {

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : String.join(",", values);
        }
    }

    /**
     * Secrets Manager and SSM as far as their JSON 1.1 protocol goes: the operation is in the
     * {@code X-Amz-Target} header, the parameters in the JSON body, an error is a 4xx or 5xx with
     * {@code __type}. Answers are set per operation and secret id (or parameter name); any other
     * name is not found, as in AWS.
     */
    static final class FakeAws {

        private final HttpServer server;
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private final Map<String, Answer> answers = new ConcurrentHashMap<>();
        private final Map<String, Queue<Answer>> onceAnswers = new ConcurrentHashMap<>();
        private final Map<String, Boolean> stalled = new ConcurrentHashMap<>();
        private final CountDownLatch stopping = new CountDownLatch(1);
        private final List<Request> requests = new CopyOnWriteArrayList<>();

        private record Answer(int status, String body) { }

        private FakeAws(HttpServer server) {
            this.server = server;
        }

        static FakeAws start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            FakeAws aws = new FakeAws(server);
            server.createContext("/", aws::handle);
            // A thread per request, so that a stalled answer holds up no other.
            server.setExecutor(aws.executor);
            server.start();
            return aws;
        }

        URI endpoint() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        void answer(String target, String name, int status, String body) {
            answers.put(target + " " + name, new Answer(status, body));
        }

        /** Answers the next request for {@code name} so, before the standing answer. */
        void answerOnce(String target, String name, int status, String body) {
            onceAnswers.computeIfAbsent(target + " " + name, key -> new ConcurrentLinkedQueue<>())
                    .add(new Answer(status, body));
        }

        /** Never answers requests for {@code name} (until {@link #stop}). */
        void stall(String target, String name) {
            stalled.put(target + " " + name, true);
        }

        List<Request> requests() {
            return List.copyOf(requests);
        }

        void stop() {
            stopping.countDown();
            server.stop(0);
            executor.shutdownNow();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
                byte[] raw = exchange.getRequestBody().readAllBytes();
                JsonNode body = JSON.readTree(raw);
                Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
                requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getRequestURI().getRawQuery(), headers, raw, target, body));
                String name = body.path(target.equals(SECRET_TARGET) ? "SecretId" : "Name").asText();
                String key = target + " " + name;
                if (stalled.containsKey(key)) {
                    awaitStop();
                    return;
                }
                Queue<Answer> once = onceAnswers.get(key);
                Answer first = once == null ? null : once.poll();
                Answer answer = first != null ? first : answers.getOrDefault(key, notFound(target, name));
                byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
                exchange.sendResponseHeaders(answer.status(), bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }

        private void awaitStop() {
            try {
                stopping.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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
