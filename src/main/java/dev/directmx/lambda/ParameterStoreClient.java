package dev.directmx.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.directmx.aws.AwsJsonClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.awscore.endpoint.AwsClientEndpointProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * SSM Parameter Store's {@code GetParameter} with decryption, the one SSM call directmx makes.
 * It speaks the AWS JSON 1.1 protocol through {@link AwsJsonClient}, with SDK pieces the function
 * carries anyway (the SigV4 signer, the default credentials chain, the URL-connection HTTP
 * client) instead of the SDK's SSM client, which would add 5 MB to the deployment jar for this
 * one call.
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

    private static final AwsJsonClient.Protocol PROTOCOL = new AwsJsonClient.Protocol(SIGNING_NAME, "Ssm",
            "AmazonSSM", "1.1");

    /** One retry covers a throttled or dropped call; more would not fit the call timeout. */
    private static final int MAX_ATTEMPTS = 2;

    /**
     * The largest answer read, 64 KiB: an advanced parameter holds at most 8 KB, which JSON
     * escaping of a PEM barely grows. Anything larger is not a GetParameter answer.
     */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AwsJsonClient client;

    /**
     * @param endpoint where to send the call, such as {@code https://ssm.eu-west-3.amazonaws.com}
     * @param region the region to sign for
     * @param credentials resolved once per call; owned by the caller
     * @param limits the timeouts and the retry delay
     */
    public ParameterStoreClient(URI endpoint, Region region,
            IdentityProvider<? extends AwsCredentialsIdentity> credentials, AwsCallLimits limits) {
        this(new AwsJsonClient(PROTOCOL, endpoint, region, credentials, http(limits), retries(limits), bounds(limits)));
    }

    private ParameterStoreClient(AwsJsonClient client) {
        this.client = client;
    }

    /**
     * A client for {@code region} with the default credentials chain, sending to
     * {@link #endpointFor}.
     */
    public static ParameterStoreClient fromEnvironment(Region region, AwsCallLimits limits) {
        return new ParameterStoreClient(AwsJsonClient.withDefaultCredentials(PROTOCOL, endpointFor(region), region,
                http(limits), retries(limits), bounds(limits)));
    }

    private static SdkHttpClient http(AwsCallLimits limits) {
        return UrlConnectionHttpClient.builder().connectionTimeout(limits.connectTimeout())
                .socketTimeout(limits.readTimeout()).build();
    }

    private static AwsJsonClient.Retries retries(AwsCallLimits limits) {
        return new AwsJsonClient.Retries(MAX_ATTEMPTS, limits.retryDelay(), limits.retryDelay());
    }

    private static AwsJsonClient.Bounds bounds(AwsCallLimits limits) {
        return new AwsJsonClient.Bounds(limits.callTimeout(), MAX_ANSWER_BYTES);
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
        return client.region();
    }

    /**
     * The parameter's value, decrypted (a {@code SecureString} comes back in clear); empty when
     * SSM's answer holds none.
     *
     * @throws AwsServiceException when SSM refuses, after the one retry of throttling and 5xx
     * @throws SdkClientException when no usable answer came: no credentials, the network, the
     *     call timeout ({@link ApiCallTimeoutException}), an answer that is not the expected JSON
     */
    public Optional<String> decryptedValue(String name) {
        return value(client.call("GetParameter", requestBody(Objects.requireNonNull(name, "name"))));
    }

    /** Closes the HTTP client, and the credentials chain if this client built it. */
    @Override
    public void close() {
        client.close();
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
}
