package dev.directmx.aws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
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
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * One AWS service's JSON protocol (AWS JSON 1.0 and 1.1: a signed {@code POST /} naming the
 * operation in {@code X-Amz-Target}) over SDK parts: the SigV4 signer, a credentials provider
 * and an SDK HTTP client. This is all a generated SDK client does for such a call, without its
 * interceptor pipeline, endpoint rules engine and model marshallers, which cost a Lambda's cold
 * start over a thousand classes (see BENCHMARKS.md).
 *
 * <p>Failures take the SDK's shapes: a refusal is an {@link AwsServiceException} with the
 * service's error code and message ({@code isThrottlingException()} works as for SDK clients); no
 * usable answer is an {@link SdkClientException}. Throttling, 5xx answers and dropped connections
 * are retried with exponential back-off, each pause drawn from the upper half of its step.
 * A retried write may already have been applied: callers use conditional writes, as they must
 * with the SDK too. A signature refused for the time it carries (the machine's clock is off, as
 * on a worker outside AWS without NTP) is corrected by the server's {@code Date} and retried, as
 * the SDK's clients do; later calls keep the correction.
 *
 * <p>Thread-safe; one instance per service per process. {@link #close} closes the HTTP client,
 * and the credentials chain when {@link #withDefaultCredentials} built it.
 */
public final class AwsJsonClient implements SdkAutoCloseable {

    /**
     * What differs between services.
     *
     * @param signingName SigV4's service name, such as {@code dynamodb}
     * @param serviceName the name put in exceptions, as the SDK does ({@code DynamoDb})
     * @param targetPrefix what precedes the operation in {@code X-Amz-Target}, such as
     *     {@code DynamoDB_20120810}
     * @param jsonVersion {@code 1.0} or {@code 1.1}, for the content type
     */
    public record Protocol(String signingName, String serviceName, String targetPrefix, String jsonVersion) {
        public Protocol {
            Objects.requireNonNull(signingName, "signingName");
            Objects.requireNonNull(serviceName, "serviceName");
            Objects.requireNonNull(targetPrefix, "targetPrefix");
            if (!jsonVersion.equals("1.0") && !jsonVersion.equals("1.1")) {
                throw new IllegalArgumentException("AWS JSON protocol version 1.0 or 1.1, not " + jsonVersion);
            }
        }

        String contentType() {
            return "application/x-amz-json-" + jsonVersion;
        }
    }

    /**
     * How refused and dropped calls are retried.
     *
     * @param maxAttempts attempts in all, the first included
     * @param baseDelay the back-off before the first retry; it doubles for each further one
     * @param maxDelay the longest back-off
     */
    public record Retries(int maxAttempts, Duration baseDelay, Duration maxDelay) {
        public Retries {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
            }
            Objects.requireNonNull(baseDelay, "baseDelay");
            Objects.requireNonNull(maxDelay, "maxDelay");
        }

        /**
         * The pause before retry number {@code retry} (1 for the first): uniform between half and
         * all of min(max, base x 2^(retry-1)), so that clients started together do not retry
         * together, yet none retries at once.
         */
        Duration backoff(int retry) {
            long ceiling = Math.min(maxDelay.toNanos(), baseDelay.toNanos() << Math.min(retry - 1, 30));
            long half = ceiling / 2;
            return Duration.ofNanos(ceiling - half < 1 ? ceiling : half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
        }
    }

    /**
     * Bounds on one call.
     *
     * @param callTimeout the whole call, retries and pauses included, cut off by aborting the
     *     connection (the HTTP client's read timeout bounds each read, not the whole answer);
     *     null for none
     * @param maxAnswerBytes the largest answer read; a larger one is an {@link SdkClientException}
     */
    public record Bounds(Duration callTimeout, int maxAnswerBytes) {
        /** No call timeout, answers of any size. */
        public static final Bounds NONE = new Bounds(null, Integer.MAX_VALUE);

        public Bounds {
            if (callTimeout != null && (callTimeout.isNegative() || callTimeout.isZero())) {
                throw new IllegalArgumentException("callTimeout must be positive: " + callTimeout);
            }
            if (maxAnswerBytes < 1) {
                throw new IllegalArgumentException("maxAnswerBytes must be positive: " + maxAnswerBytes);
            }
        }
    }

    /**
     * Refusals that always mean the request's time was off (the SDK's "definite clock skew"
     * codes), and those that mean it only when the server's {@code Date} says so.
     */
    private static final Set<String> CLOCK_REFUSALS = Set.of("RequestTimeTooSkewed", "RequestExpired",
            "RequestInTheFuture");
    private static final Set<String> SIGNATURE_REFUSALS = Set.of("InvalidSignatureException", "SignatureDoesNotMatch",
            "AuthFailure");

    /** SigV4 accepts a request time within 5 minutes of the service's; 4 minutes leaves margin, as the SDK does. */
    static final Duration SKEW_THRESHOLD = Duration.ofMinutes(4);

    private final Protocol protocol;
    private final URI endpoint;
    private final Region region;
    private final IdentityProvider<? extends AwsCredentialsIdentity> credentials;
    private final SdkHttpClient http;
    private final Retries retries;
    private final Bounds bounds;
    /** The credentials provider this client built, closed with it; null when the caller owns it. */
    private final SdkAutoCloseable ownedCredentials;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final Clock clock;

    /** How far the service's clock is ahead of ours, learnt from a refusal for the time; zero until then. */
    private volatile Duration clockOffset = Duration.ZERO;

    /**
     * @param endpoint where calls go, such as {@code https://dynamodb.eu-west-3.amazonaws.com}
     * @param region the region to sign for
     * @param credentials resolved for each call (providers cache and refresh them)
     * @param http the HTTP client, which this client closes
     */
    public AwsJsonClient(Protocol protocol, URI endpoint, Region region,
            IdentityProvider<? extends AwsCredentialsIdentity> credentials, SdkHttpClient http, Retries retries) {
        this(protocol, endpoint, region, credentials, http, retries, Bounds.NONE);
    }

    /** As above, within {@code bounds}. */
    public AwsJsonClient(Protocol protocol, URI endpoint, Region region,
            IdentityProvider<? extends AwsCredentialsIdentity> credentials, SdkHttpClient http, Retries retries,
            Bounds bounds) {
        this(protocol, endpoint, region, credentials, http, retries, bounds, Clock.systemUTC());
    }

    /**
     * A client with the SDK's default credentials chain (environment, profile, container and
     * instance metadata), which {@link #close} closes.
     */
    public static AwsJsonClient withDefaultCredentials(Protocol protocol, URI endpoint, Region region,
            SdkHttpClient http, Retries retries, Bounds bounds) {
        DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        return new AwsJsonClient(protocol, endpoint, region, credentials, http, retries, bounds, Clock.systemUTC(),
                credentials);
    }

    /** As the public constructors, with the clock requests are dated by (tests give one that is off). */
    AwsJsonClient(Protocol protocol, URI endpoint, Region region,
            IdentityProvider<? extends AwsCredentialsIdentity> credentials, SdkHttpClient http, Retries retries,
            Bounds bounds, Clock clock) {
        this(protocol, endpoint, region, credentials, http, retries, bounds, clock, null);
    }

    private AwsJsonClient(Protocol protocol, URI endpoint, Region region,
            IdentityProvider<? extends AwsCredentialsIdentity> credentials, SdkHttpClient http, Retries retries,
            Bounds bounds, Clock clock, SdkAutoCloseable ownedCredentials) {
        this.ownedCredentials = ownedCredentials;
        this.bounds = Objects.requireNonNull(bounds, "bounds");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.region = Objects.requireNonNull(region, "region");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.http = Objects.requireNonNull(http, "http");
        this.retries = Objects.requireNonNull(retries, "retries");
    }

    public URI endpoint() {
        return endpoint;
    }

    public Region region() {
        return region;
    }

    /**
     * Calls {@code operation} with a JSON request body and returns the body of the 2xx answer.
     *
     * @throws AwsServiceException when the service refuses, after the retries
     * @throws SdkClientException when no answer came (no credentials, the network, an answer over
     *     the size bound), after the retries; an {@link ApiCallTimeoutException} past the call timeout
     */
    public byte[] call(String operation, byte[] body) {
        AwsCredentialsIdentity identity = identity();
        long deadline = bounds.callTimeout() == null ? Long.MAX_VALUE : System.nanoTime() + bounds.callTimeout().toNanos();
        for (int attempt = 1; ; attempt++) {
            Answer answer;
            try {
                answer = exchange(operation, body, identity, deadline);
            } catch (IOException e) {
                if (attempt < retries.maxAttempts() && paused(attempt, operation, deadline)) {
                    continue;
                }
                throw SdkClientException.create(protocol.serviceName() + " " + operation + " got no answer from "
                        + endpoint + " after " + attempt + " attempts: " + e.getMessage(), e);
            }
            if (answer.response().isSuccessful()) {
                return answer.body();
            }
            AwsServiceException refusal = refusal(answer);
            if (attempt < retries.maxAttempts() && correctedClock(refusal, answer.response())) {
                continue;
            }
            if (attempt < retries.maxAttempts() && retryable(refusal) && paused(attempt, operation, deadline)) {
                continue;
            }
            throw refusal;
        }
    }

    /**
     * When the service refused the request for its time and said its own in {@code Date}, learns
     * the offset between the clocks; true when the request is worth signing again.
     */
    private boolean correctedClock(AwsServiceException refusal, SdkHttpResponse response) {
        String code = refusal.awsErrorDetails().errorCode();
        // Set.of refuses to look up null: an answer without a code (an HTML page) is not about time.
        if (code == null || !CLOCK_REFUSALS.contains(code) && !SIGNATURE_REFUSALS.contains(code)) {
            return false;
        }
        Optional<Instant> serverTime = response.firstMatchingHeader("Date").flatMap(AwsJsonClient::httpDate);
        if (serverTime.isEmpty()) {
            return false;
        }
        Duration offset = Duration.between(clock.instant(), serverTime.get());
        // A bad signature with clocks that agree is a wrong key, which signing again cannot mend.
        if (!CLOCK_REFUSALS.contains(code) && offset.abs().compareTo(SKEW_THRESHOLD) <= 0) {
            return false;
        }
        if (offset.minus(clockOffset).abs().compareTo(Duration.ofSeconds(1)) < 0) {
            return false;
        }
        clockOffset = offset;
        return true;
    }

    /** An HTTP {@code Date} (RFC 9110 §5.6.7, IMF-fixdate); empty when it is not one. */
    static Optional<Instant> httpDate(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Throttling and the service's own failures clear with time; other refusals would not. */
    static boolean retryable(AwsServiceException refusal) {
        return refusal.isThrottlingException() || refusal.statusCode() >= 500;
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

    private AwsCredentialsIdentity identity() {
        try {
            return credentials.resolveIdentity().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof SdkException sdk ? sdk
                    : SdkClientException.create("no AWS credentials for " + protocol.serviceName(), e.getCause());
        }
    }

    /** One signed attempt; with a call timeout, cut off at {@code deadline} by aborting the connection. */
    private Answer exchange(String operation, byte[] body, AwsCredentialsIdentity identity, long deadline)
            throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw ApiCallTimeoutException.create(bounds.callTimeout().toMillis());
        }
        SignedRequest signed = sign(operation, body, identity);
        ExecutableHttpRequest call = http.prepareRequest(HttpExecuteRequest.builder().request(signed.request())
                .contentStreamProvider(signed.payload().orElseThrow()).build());
        AtomicBoolean cutOff = new AtomicBoolean();
        CompletableFuture<Void> timer = deadline == Long.MAX_VALUE ? null : CompletableFuture.runAsync(() -> {
            cutOff.set(true);
            call.abort();
        }, CompletableFuture.delayedExecutor(remaining, TimeUnit.NANOSECONDS));
        try {
            HttpExecuteResponse response = call.call();
            return new Answer(response.httpResponse(), read(response));
        } catch (IOException | RuntimeException e) {
            if (cutOff.get()) {
                throw ApiCallTimeoutException.create(bounds.callTimeout().toMillis());
            }
            if (e instanceof UncheckedIOException unchecked) {
                throw unchecked.getCause();
            }
            throw e;
        } finally {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    private SignedRequest sign(String operation, byte[] body, AwsCredentialsIdentity identity) {
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        SdkHttpFullRequest request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .encodedPath(path)
                .putHeader("Content-Type", protocol.contentType())
                .putHeader("X-Amz-Target", protocol.targetPrefix() + "." + operation)
                .putHeader("Content-Length", Integer.toString(body.length))
                .build();
        return signer.sign(SignRequest.builder(identity)
                .request(request)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, protocol.signingName())
                .putProperty(AwsV4HttpSigner.REGION_NAME, region.id())
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.offset(clock, clockOffset))
                .build());
    }

    private byte[] read(HttpExecuteResponse response) throws IOException {
        Optional<AbortableInputStream> body = response.responseBody();
        if (body.isEmpty()) {
            return new byte[0];
        }
        try (InputStream in = body.get()) {
            byte[] bytes = in.readNBytes(bounds.maxAnswerBytes() == Integer.MAX_VALUE ? Integer.MAX_VALUE
                    : bounds.maxAnswerBytes() + 1);
            if (bytes.length > bounds.maxAnswerBytes()) {
                throw SdkClientException.create(protocol.serviceName() + "'s answer is larger than "
                        + bounds.maxAnswerBytes() + " bytes, more than any answer expected");
            }
            return bytes;
        }
    }

    /**
     * Pauses before retry number {@code attempt}; false, without pausing, when the pause would
     * leave no time for another attempt before {@code deadline}.
     */
    private boolean paused(int attempt, String operation, long deadline) {
        long pause = retries.backoff(attempt).toNanos();
        if (deadline - System.nanoTime() <= pause) {
            return false;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(pause);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AbortedException.builder().message("interrupted before retrying " + protocol.serviceName() + " "
                    + operation).cause(e).build();
        }
    }

    /**
     * The service's error as the SDK would report it: the code from {@code X-Amzn-ErrorType} or
     * the body's {@code __type}, the message from the body's {@code message} or {@code Message}.
     */
    private AwsServiceException refusal(Answer answer) {
        SdkHttpResponse response = answer.response();
        AwsJsonError error = AwsJsonError.parse(answer.body());
        String code = response.firstMatchingHeader("X-Amzn-ErrorType").or(() -> Optional.ofNullable(error.type()))
                .map(AwsJsonClient::errorCode).orElse(null);
        return AwsServiceException.builder()
                .statusCode(response.statusCode())
                .requestId(response.firstMatchingHeader("x-amzn-RequestId").orElse(null))
                .message(error.message())
                .awsErrorDetails(AwsErrorDetails.builder().serviceName(protocol.serviceName()).errorCode(code)
                        .errorMessage(error.message()).sdkHttpResponse(response).build())
                .build();
    }

    /**
     * The bare code: {@code com.amazonaws.dynamodb.v20120810#ResourceNotFoundException} and
     * {@code ParameterNotFound:http://internal.amazon.com/...} are {@code
     * ResourceNotFoundException} and {@code ParameterNotFound}, as the SDK reads them.
     */
    static String errorCode(String type) {
        String code = type.strip();
        int colon = code.indexOf(':');
        if (colon >= 0) {
            code = code.substring(0, colon);
        }
        return code.substring(code.lastIndexOf('#') + 1);
    }

    /** An HTTP answer, read whole. */
    private record Answer(SdkHttpResponse response, byte[] body) {
    }
}
