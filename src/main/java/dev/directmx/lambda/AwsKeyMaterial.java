package dev.directmx.lambda;

import dev.directmx.dkim.KeyMaterial;
import dev.directmx.dkim.KeySource;
import dev.directmx.dkim.KeyUnavailableException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * {@link KeyMaterial} for the two sources kept in AWS: a Secrets Manager secret (its
 * {@code SecretString}, or its {@code SecretBinary} read as UTF-8 text) and an SSM parameter,
 * read with decryption so that a {@code SecureString} comes back in clear (through {@link
 * ParameterStoreClient}, our own GetParameter call, not the SDK's SSM client). The local sources
 * ({@code env:}, {@code file:}) are read elsewhere; handing one to this class is a programming
 * error.
 *
 * <p>Lifecycle: one instance per process, used while the function initialises (keys are read
 * once per execution environment; with SnapStart, when a version is published). Each client is
 * built by the first read that needs it and reused by the others, so a deployment whose keys
 * are all in SSM never builds a Secrets Manager client. Thread-safe. {@link #close} closes the
 * clients built so far, so that a SnapStart snapshot need hold no open connection; a read
 * after it builds a new client. Every call is bounded by {@link AwsCallLimits} (5 seconds by
 * default), so that an unreachable service fails the read well within Lambda's 10-second init.
 *
 * <p>A failure is a {@link KeyUnavailableException} whose message names the source, the AWS
 * error code and what to do (see {@link AwsService#explain}). Key text is never logged and
 * never put in a message; this class has no state that could show it in {@code toString}.
 */
public final class AwsKeyMaterial implements KeyMaterial, AutoCloseable {

    /** How many exceptions of a cause chain {@link #types} names. */
    private static final int MAX_CAUSES = 5;

    private final Lazy<SecretsManagerClient> secretsManager;
    private final Lazy<ParameterStoreClient> ssm;

    /**
     * @param secretsManager builds the Secrets Manager client, at most once until {@link #close}
     * @param ssm builds the SSM Parameter Store client, at most once until {@link #close}
     */
    public AwsKeyMaterial(Supplier<SecretsManagerClient> secretsManager, Supplier<ParameterStoreClient> ssm) {
        this.secretsManager = new Lazy<>(Objects.requireNonNull(secretsManager, "secretsManager"));
        this.ssm = new Lazy<>(Objects.requireNonNull(ssm, "ssm"));
    }

    /**
     * Clients configured as {@link SqsQueueActions#client()} is: region from {@code AWS_REGION},
     * {@code aws.region}, the profile or the instance metadata, else {@code us-east-1};
     * credentials from the default chain; HTTP through the JDK's URL connection. The endpoint
     * is AWS's unless {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} / {@code AWS_ENDPOINT_URL_SSM}
     * (or {@code AWS_ENDPOINT_URL}) is set, which the SDK's code reads for both (how a local
     * run points at LocalStack). Calls are bounded by {@link AwsCallLimits#DEFAULT}.
     */
    public static AwsKeyMaterial fromEnvironment() {
        return fromEnvironment(AwsCallLimits.DEFAULT);
    }

    /** As {@link #fromEnvironment()}, with other limits (shorter ones in tests). */
    static AwsKeyMaterial fromEnvironment(AwsCallLimits limits) {
        Objects.requireNonNull(limits, "limits");
        return new AwsKeyMaterial(
                () -> SecretsManagerClient.builder()
                        .httpClientBuilder(UrlConnectionHttpClient.builder()
                                .connectionTimeout(limits.connectTimeout()).socketTimeout(limits.readTimeout()))
                        // Retries included: the SDK's standard strategy tries three times.
                        .overrideConfiguration(c -> c.apiCallTimeout(limits.callTimeout()))
                        .region(configuredRegion()).build(),
                () -> ParameterStoreClient.fromEnvironment(configuredRegion(), limits));
    }

    /**
     * @throws IllegalArgumentException for an {@code env:} or {@code file:} source, which is not
     *     read from AWS
     */
    @Override
    public String read(KeySource source) throws KeyUnavailableException {
        Objects.requireNonNull(source, "source");
        return switch (source) {
            case KeySource.SecretsManager secret -> readSecret(secret);
            case KeySource.ParameterStore parameter -> readParameter(parameter);
            case KeySource.Environment local -> throw notInAws(local);
            case KeySource.File local -> throw notInAws(local);
        };
    }

    /** Closes the clients built so far. */
    @Override
    public void close() {
        try {
            secretsManager.close();
        } finally {
            ssm.close();
        }
    }

    private String readSecret(KeySource.SecretsManager source) throws KeyUnavailableException {
        SecretsManagerClient client = secretsManager.get();
        GetSecretValueResponse secret;
        try {
            secret = client.getSecretValue(b -> b.secretId(source.secretId()));
        } catch (SdkException e) {
            throw AwsService.SECRETS_MANAGER.explain(source, client.serviceClientConfiguration().region(), e);
        }
        if (secret.secretString() != null) {
            return secret.secretString();
        }
        if (secret.secretBinary() != null) {
            return utf8(source, secret.secretBinary());
        }
        throw new KeyUnavailableException("DKIM key " + source.describe() + " is unavailable: the secret has"
                + " neither a SecretString nor a SecretBinary value. Store the PEM as its string: aws secretsmanager"
                + " put-secret-value --secret-id " + source.secretId() + " --secret-string file://KEY.pem");
    }

    private String readParameter(KeySource.ParameterStore source) throws KeyUnavailableException {
        ParameterStoreClient client = ssm.get();
        Optional<String> value;
        try {
            value = client.decryptedValue(source.name());
        } catch (SdkException e) {
            throw AwsService.PARAMETER_STORE.explain(source, client.region(), e);
        }
        if (value.isEmpty()) {
            throw new KeyUnavailableException("DKIM key " + source.describe() + " is unavailable: SSM's answer"
                    + " held no parameter value. This is unexpected of SSM: try again");
        }
        return value.get();
    }

    /**
     * The binary secret as text. Decoded strictly: a DER key stored as binary would otherwise
     * turn into replacement characters and fail later as a puzzling "not a PEM".
     */
    private static String utf8(KeySource source, SdkBytes bytes) throws KeyUnavailableException {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.asByteArrayUnsafe())).toString();
        } catch (CharacterCodingException e) {
            throw new KeyUnavailableException("DKIM key " + source.describe() + " is unavailable: its SecretBinary"
                    + " is not UTF-8 text. Store the key as PEM text, preferably as the secret's string"
                    + " (--secret-string file://KEY.pem)");
        }
    }

    private static IllegalArgumentException notInAws(KeySource source) {
        return new IllegalArgumentException(source.describe() + " is not a source kept in AWS; AwsKeyMaterial"
                + " reads only secretsmanager: and ssm: sources");
    }

    /**
     * The default chain's region, or {@code us-east-1} when it finds none, as for SQS and
     * DynamoDB: Lambda always sets {@code AWS_REGION}, and a laptop pointed at a local endpoint
     * needs no particular region.
     */
    private static Region configuredRegion() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            return Region.US_EAST_1;
        }
    }

    /**
     * What an AWS error means for whoever deploys the function, decided once from the error code
     * and the HTTP status, so that the message can say what to do.
     */
    enum Trouble {
        /** No such secret or parameter, in this region at least: a wrong name or region. */
        NOT_FOUND,
        /** IAM refused the call: the role lacks the read permission (or kms:Decrypt). */
        ACCESS_DENIED,
        /** The service could not decrypt the value with its KMS key. */
        KEY_UNUSABLE,
        /** Throttling, a 5xx or no answer at all (network, SDK, timeout), after the client's retries. */
        TRANSIENT,
        /** Any other refusal (a deleted secret, an invalid name): AWS's message says why. */
        REFUSED;

        /** The codes of both services that mean {@link #NOT_FOUND}. */
        static final Set<String> NOT_FOUND_CODES =
                Set.of("ResourceNotFoundException", "ParameterNotFound", "ParameterVersionNotFound");

        /**
         * The codes that mean {@link #KEY_UNUSABLE}: Secrets Manager's {@code DecryptionFailure}
         * and SSM's {@code InvalidKeyId} (a disabled, deleted or inaccessible KMS key).
         */
        static final Set<String> KEY_UNUSABLE_CODES = Set.of("DecryptionFailure", "InvalidKeyId");

        static Trouble of(SdkException e) {
            if (!(e instanceof AwsServiceException service)) {
                return TRANSIENT;
            }
            String code = code(service);
            if (NOT_FOUND_CODES.contains(code)) {
                return NOT_FOUND;
            }
            if (code.equals("AccessDeniedException")) {
                return ACCESS_DENIED;
            }
            if (KEY_UNUSABLE_CODES.contains(code)) {
                return KEY_UNUSABLE;
            }
            return service.isThrottlingException() || service.statusCode() >= 500 ? TRANSIENT : REFUSED;
        }
    }

    /** The vocabulary of the two services, for messages that tell the operator what to do. */
    enum AwsService {
        SECRETS_MANAGER("Secrets Manager", "secret", "the secret's name or ARN", "secretsmanager:GetSecretValue",
                "DkimSecretArns"),
        PARAMETER_STORE("SSM Parameter Store", "parameter", "the parameter's full name (with its leading /)",
                "ssm:GetParameter", "DkimParameterPath");

        private final String title;
        private final String noun;
        private final String name;
        private final String action;
        private final String templateParameter;

        AwsService(String title, String noun, String name, String action, String templateParameter) {
            this.title = title;
            this.noun = noun;
            this.name = name;
            this.action = action;
            this.templateParameter = templateParameter;
        }

        /**
         * The failure to read {@code source} as a message that names the source, the region, the
         * AWS error code and the fix. It quotes AWS's own error message, which names the denied
         * action or the missing resource but never a value. When no usable answer came, it names
         * only the types of the SDK's exception and its causes.
         */
        KeyUnavailableException explain(KeySource source, Region region, SdkException e) {
            String start = "DKIM key " + source.describe() + " is unavailable: ";
            if (!(e instanceof AwsServiceException service)) {
                // Types only, and no cause attached: the SDK's message can quote the response it
                // failed to parse ("Unrecognized token '...'"), and a logged stack trace would too.
                return new KeyUnavailableException(start + "no usable answer from " + title + " in " + region + " ("
                        + types(e) + "). This is transient (network or SDK trouble): check that the function"
                        + " reaches the " + title + " API (in a VPC, through the NAT gateway or a VPC endpoint),"
                        + " then try again");
            }
            String fix = switch (Trouble.of(service)) {
                case NOT_FOUND -> "Check " + name + " and that the " + noun + " is in " + region
                        + ", the region the function reads from";
                case ACCESS_DENIED -> "Grant the function's role " + action + " on this " + noun + " (template"
                        + " parameter " + templateParameter + "), and kms:Decrypt on its KMS key if that is a"
                        + " customer-managed key (DkimKmsKeyArn)";
                case KEY_UNUSABLE -> "The " + noun + "'s KMS key could not decrypt it: grant the function's role"
                        + " kms:Decrypt on that customer-managed key (DkimKmsKeyArn) and check the key is enabled";
                case TRANSIENT -> "This is transient (throttling or a service error): try again";
                case REFUSED -> "Check the source in DIRECTMX_DKIM_KEYS and the " + noun + " itself";
            };
            return new KeyUnavailableException(start + title + " in " + region + " answered " + code(service)
                    + " (HTTP " + service.statusCode() + "): " + message(service) + ". " + fix, e);
        }
    }

    /**
     * "SdkClientException caused by ConnectException": the chain's types, without messages. At
     * most {@value #MAX_CAUSES} of them, which is deeper than the SDK nests and guards against a
     * cycle of causes.
     */
    private static String types(Throwable e) {
        StringJoiner chain = new StringJoiner(" caused by ");
        Throwable t = e;
        for (int i = 0; t != null && i < MAX_CAUSES; i++, t = t.getCause()) {
            chain.add(t.getClass().getSimpleName());
        }
        return chain.toString();
    }

    private static String code(AwsServiceException e) {
        AwsErrorDetails details = e.awsErrorDetails();
        return details == null || details.errorCode() == null ? "no error code" : details.errorCode();
    }

    private static String message(AwsServiceException e) {
        AwsErrorDetails details = e.awsErrorDetails();
        String said = details == null || details.errorMessage() == null ? "no message" : details.errorMessage().strip();
        // AWS's messages often end with a full stop; the sentence built around it adds its own.
        return said.endsWith(".") ? said.substring(0, said.length() - 1) : said;
    }

    /** A client built on first use, then shared; thread-safe. */
    private static final class Lazy<T extends SdkAutoCloseable> {

        private final Supplier<T> factory;
        private T client;

        Lazy(Supplier<T> factory) {
            this.factory = factory;
        }

        synchronized T get() {
            if (client == null) {
                client = Objects.requireNonNull(factory.get(), "the client factory returned null");
            }
            return client;
        }

        synchronized void close() {
            if (client != null) {
                T built = client;
                client = null;
                built.close();
            }
        }
    }
}
