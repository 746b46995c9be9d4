package dev.directmx.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.directmx.aws.AwsJsonClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.endpoint.AwsClientEndpointProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * SSM Parameter Store's {@code GetParameter} with decryption, the one SSM call directmx makes.
 * It speaks the AWS JSON 1.1 protocol with SDK pieces the function carries anyway (the SigV4
 * signer, the default credentials chain, the URL-connection HTTP client) instead of the SDK's
 * SSM client, which would add 5 MB to the deployment jar for this one call.
 *
 * <p>Lifecycle: one instance per {@link AwsKeyMaterial}, built on first use and shared;
 * thread-safe. {@link #close} closes its HTTP client and the credentials chain it built.
 *
 * <p>Failures take the SDK's shapes, so that {@link AwsKeyMaterial} explains both services
 * alike: a refusal is an {@link AwsServiceException} carrying SSM's error code and message; no
 * usable answer is an {@link SdkClientException} (an {@link ApiCallTimeoutException} past the
 * call timeout). A throttled, failed (5xx) or dropped call is retried once. No exception quotes
 * the answer's body, which may hold the key.
 */
public final class ParameterStoreClient implements SdkAutoCloseable {

    /** SSM's SigV4 signing name, also the prefix of its endpoints. */
    private static final String SIGNING_NAME = "ssm";

    /** The service name the SDK gives SSM in its exceptions. */
    private static final String SERVICE_NAME = "Ssm";

    private static final String TARGET = "AmazonSSM.GetParameter";

    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    /** One retry covers a throttled or dropped call; more would not fit the call timeout. */
    private static final int MAX_ATTEMPTS = 2;

    /**
     * The largest answer read, 64 KiB: an advanced parameter holds at most 8 KB, which JSON
     * escaping of a PEM barely grows. Anything larger is not a GetParameter answer.
     */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final Region region;
    private final IdentityProvider<? extends AwsCredentialsIdentity> credentials;
    private final AwsCallLimits limits;
    private final SdkHttpClient http;
    private final SdkAutoCloseable ownedCredentials;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    /**
     * @param endpoint where to send the call, such as {@code https://ssm.eu-west-3.amazonaws.com}
     * @param region the region to sign for
     * @param credentials resolved once per call; owned by the caller
     * @param limits the timeouts and the retry delay
     */
    public ParameterStoreClient(URI endpoint, Region region,
            IdentityProvider<? extends AwsCredentialsIdentity> credentials, AwsCallLimits limits) {
        this(endpoint, region, credentials, limits, null);
    }

    private ParameterStoreClient(URI endpoint, Region region,
            IdentityProvider<? extends AwsCredentialsIdentity> credentials, AwsCallLimits limits,
            SdkAutoCloseable ownedCredentials) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.region = Objects.requireNonNull(region, "region");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.ownedCredentials = ownedCredentials;
        this.http = UrlConnectionHttpClient.builder().connectionTimeout(limits.connectTimeout())
                .socketTimeout(limits.readTimeout()).build();
    }

    /**
     * A client for {@code region} with the default credentials chain, sending to
     * {@link #endpointFor}.
     */
    public static ParameterStoreClient fromEnvironment(Region region, AwsCallLimits limits) {
        DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        return new ParameterStoreClient(endpointFor(region), region, credentials, limits, credentials);
    }

    /**
     * Where the SDK's own SSM client would send the call, decided by the same SDK code: {@code
     * AWS_ENDPOINT_URL_SSM}, {@code aws.endpointUrlSsm}, the profile's {@code services} section,
     * {@code AWS_ENDPOINT_URL}, {@code aws.endpointUrl} or the profile's {@code endpoint_url}
     * when one is set (and {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS} is not), else the region's
     * endpoint in the SDK's partition metadata: {@code https://ssm.cn-north-1.amazonaws.com.cn}
     * in China, a FIPS or dual-stack name when {@code AWS_USE_FIPS_ENDPOINT} or {@code
     * AWS_USE_DUALSTACK_ENDPOINT} asks for one.
     */
    static URI endpointFor(Region region) {
        // AwsClientEndpointProvider is the SDK's protected API, what its generated clients call
        // with these very names. The BOM pins its version; AwsKeyMaterialTest checks the result.
        return AwsClientEndpointProvider.builder()
                .serviceEndpointOverrideEnvironmentVariable("AWS_ENDPOINT_URL_SSM")
                .serviceEndpointOverrideSystemProperty("aws.endpointUrlSsm")
                .serviceProfileProperty(SIGNING_NAME)
                .serviceEndpointPrefix(SIGNING_NAME)
                .defaultProtocol("https")
                .region(region)
                .build()
                .clientEndpoint();
    }

    /** The region the client signs for and names in messages. */
    public Region region() {
        return region;
    }

    /**
     * The parameter's value, decrypted (a {@code SecureString} comes back in clear); empty when
     * SSM's answer holds none.
     *
     * @throws AwsServiceException when SSM refuses, after the one retry of throttling and 5xx
     * @throws SdkClientException when no usable answer came: no credentials, the network, the
     *     call timeout, an answer that is not the expected JSON
     */
    public Optional<String> decryptedValue(String name) {
        byte[] body = requestBody(Objects.requireNonNull(name, "name"));
        AwsCredentialsIdentity identity = identity();
        long deadline = System.nanoTime() + limits.callTimeout().toNanos();
        for (int attempt = 1; ; attempt++) {
            Answer answer;
            try {
                answer = exchange(body, identity, deadline);
            } catch (IOException e) {
                if (pausedForRetry(attempt, deadline)) {
                    continue;
                }
                throw SdkClientException.create("SSM GetParameter got no answer", e);
            }
            if (answer.response().isSuccessful()) {
                return value(answer.body());
            }
            AwsServiceException refusal = refusal(answer);
            if (!(refusal.isThrottlingException() || refusal.statusCode() >= 500)
                    || !pausedForRetry(attempt, deadline)) {
                throw refusal;
            }
        }
    }

    /** Closes the HTTP client, and the credentials chain if this client built it. */
    @Override
    public void close() {
        try {
            http.close();
        } finally {
            if (ownedCredentials != null) {
                ownedCredentials.close();
            }
        }
    }

    private static byte[] requestBody(String name) {
        ObjectNode request = JSON.createObjectNode();
        request.put("Name", name);
        // With decryption, so that a SecureString (the only sensible type for a key) is clear.
        request.put("WithDecryption", true);
        try {
            return JSON.writeValueAsBytes(request);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a GetParameter request", e);
        }
    }

    private AwsCredentialsIdentity identity() {
        try {
            return credentials.resolveIdentity().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof SdkException sdk ? sdk
                    : SdkClientException.create("no AWS credentials for SSM", e.getCause());
        }
    }

    /**
     * One signed attempt, cut off at {@code deadline} by aborting the connection: the read
     * timeout bounds each read, not the whole answer.
     */
    private Answer exchange(byte[] body, AwsCredentialsIdentity identity, long deadline) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw ApiCallTimeoutException.create(limits.callTimeout().toMillis());
        }
        SignedRequest signed = sign(body, identity);
        ExecutableHttpRequest call = http.prepareRequest(HttpExecuteRequest.builder().request(signed.request())
                .contentStreamProvider(signed.payload().orElseThrow()).build());
        AtomicBoolean cutOff = new AtomicBoolean();
        CompletableFuture<Void> timer = CompletableFuture.runAsync(() -> {
            cutOff.set(true);
            call.abort();
        }, CompletableFuture.delayedExecutor(remaining, TimeUnit.NANOSECONDS));
        try {
            HttpExecuteResponse response = call.call();
            return new Answer(response.httpResponse(), read(response));
        } catch (IOException | RuntimeException e) {
            if (cutOff.get()) {
                throw ApiCallTimeoutException.create(limits.callTimeout().toMillis());
            }
            if (e instanceof UncheckedIOException unchecked) {
                throw unchecked.getCause();
            }
            throw e;
        } finally {
            timer.cancel(false);
        }
    }

    private SignedRequest sign(byte[] body, AwsCredentialsIdentity identity) {
        SdkHttpFullRequest request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .encodedPath(endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/"
                        : endpoint.getRawPath())
                .putHeader("Content-Type", CONTENT_TYPE)
                .putHeader("X-Amz-Target", TARGET)
                .putHeader("Content-Length", Integer.toString(body.length))
                .build();
        return signer.sign(SignRequest.builder(identity)
                .request(request)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region.id())
                .build());
    }

    private static byte[] read(HttpExecuteResponse response) throws IOException {
        Optional<AbortableInputStream> body = response.responseBody();
        if (body.isEmpty()) {
            return new byte[0];
        }
        try (InputStream in = body.get()) {
            byte[] bytes = in.readNBytes(MAX_ANSWER_BYTES + 1);
            if (bytes.length > MAX_ANSWER_BYTES) {
                throw SdkClientException.create("SSM's answer is larger than " + MAX_ANSWER_BYTES
                        + " bytes, which no GetParameter answer is");
            }
            return bytes;
        }
    }

    /**
     * Whether to try again, after the pause if so: only after the first attempt, and only when
     * the pause leaves time for another attempt before the deadline.
     */
    private boolean pausedForRetry(int attempt, long deadline) {
        if (attempt >= MAX_ATTEMPTS) {
            return false;
        }
        long delay = limits.retryDelay().toNanos();
        long pause = delay / 2 + (delay < 2 ? 0 : ThreadLocalRandom.current().nextLong(delay / 2));
        if (deadline - System.nanoTime() <= pause) {
            return false;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AbortedException.builder().message("interrupted before retrying SSM GetParameter").cause(e)
                    .build();
        }
        return true;
    }

    /** {@code {"Parameter":{"Value":...}}}; the value absent or not text is empty. */
    private static Optional<String> value(byte[] body) {
        JsonNode root = parse(body);
        if (root == null || !root.isObject()) {
            throw SdkClientException.create("SSM's GetParameter answer is not the JSON object expected");
        }
        JsonNode value = root.path("Parameter").path("Value");
        return value.isTextual() ? Optional.of(value.textValue()) : Optional.empty();
    }

    /**
     * SSM's error as the SDK would report it: the code from {@code X-Amzn-ErrorType} or the
     * body's {@code __type}, the message from the body's {@code message}. A body that is not
     * JSON (a proxy's page, say) leaves both unknown; it is never quoted.
     */
    private static AwsServiceException refusal(Answer answer) {
        SdkHttpResponse response = answer.response();
        JsonNode root = parse(answer.body());
        String code = response.firstMatchingHeader("X-Amzn-ErrorType").or(() -> text(root, "__type"))
                .map(AwsJsonClient::errorCode).orElse(null);
        String message = text(root, "message").or(() -> text(root, "Message")).orElse(null);
        return AwsServiceException.builder()
                .statusCode(response.statusCode())
                .requestId(response.firstMatchingHeader("x-amzn-RequestId").orElse(null))
                .awsErrorDetails(AwsErrorDetails.builder().serviceName(SERVICE_NAME).errorCode(code)
                        .errorMessage(message).sdkHttpResponse(response).build())
                .build();
    }

    private static Optional<String> text(JsonNode root, String field) {
        JsonNode node = root == null ? null : root.get(field);
        return node != null && node.isTextual() ? Optional.of(node.textValue()) : Optional.empty();
    }

    /**
     * The body as JSON, or null when it is not JSON. The parser's exception is dropped, not
     * wrapped: its message quotes the text it could not read, which may be the key.
     */
    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** An HTTP answer, read whole; never logged (the body may hold the key). */
    private record Answer(SdkHttpResponse response, byte[] body) { }
}
