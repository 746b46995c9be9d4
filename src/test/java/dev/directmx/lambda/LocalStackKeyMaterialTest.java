package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.directmx.dkim.KeySource;
import dev.directmx.dkim.KeyUnavailableException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * {@link AwsKeyMaterial} against LocalStack's Secrets Manager and SSM, an implementation of the
 * APIs that {@code AwsKeyMaterialTest}'s fake server was not written from (and which, for SSM,
 * checks {@link ParameterStoreClient}'s hand-made request). Runs only where a
 * Docker engine answers; elsewhere JUnit reports the class as skipped.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackKeyMaterialTest {

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(
            DockerImageName.parse("localstack/localstack:4.14.0")).withServices(
                    LocalStackContainer.Service.SECRETSMANAGER, LocalStackContainer.Service.SSM);

    private static final String RSA_PEM = "-----BEGIN PRIVATE KEY-----\n"
            + "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAlocalstackRSA\n"
            + "-----END PRIVATE KEY-----\n";

    private static final String ED25519_PEM = "-----BEGIN PRIVATE KEY-----\n"
            + "MC4CAQAwBQYDK2VwBCIEIlocalstackED25519\n"
            + "-----END PRIVATE KEY-----\n";

    @BeforeAll
    static void storeKeys() {
        try (SecretsManagerClient secrets = secretsClient(); SsmClient ssm = ssmClient()) {
            secrets.createSecret(b -> b.name("directmx/dkim/example.com/rsa2026").secretString(RSA_PEM));
            secrets.createSecret(b -> b.name("directmx/dkim/example.com/binary")
                    .secretBinary(SdkBytes.fromUtf8String(ED25519_PEM)));
            ssm.putParameter(b -> b.name("/directmx/dkim/example.com/ed2026").type(ParameterType.SECURE_STRING)
                    .value(ED25519_PEM));
        }
    }

    @Test
    void readsTheSecretsAndTheDecryptedSecureStringIntact() throws Exception {
        try (AwsKeyMaterial material = material()) {
            assertThat(material.read(new KeySource.SecretsManager("directmx/dkim/example.com/rsa2026")))
                    .isEqualTo(RSA_PEM);
            assertThat(material.read(new KeySource.SecretsManager("directmx/dkim/example.com/binary")))
                    .isEqualTo(ED25519_PEM);
            assertThat(material.read(new KeySource.ParameterStore("/directmx/dkim/example.com/ed2026")))
                    .isEqualTo(ED25519_PEM);
        }
    }

    @Test
    void missingKeysAreReportedAsNotFoundNamingTheSourceAndTheRegion() {
        try (AwsKeyMaterial material = material()) {
            for (KeySource source : new KeySource[] {
                new KeySource.SecretsManager("directmx/dkim/none"), new KeySource.ParameterStore("/directmx/none")}) {
                KeyUnavailableException e = catchThrowableOfType(KeyUnavailableException.class,
                        () -> material.read(source));
                assertThat(e).as(source.describe()).isNotNull()
                        .hasMessageContaining(source.describe())
                        .hasMessageContaining("NotFound")
                        .hasMessageContaining("is in " + LOCALSTACK.getRegion());
            }
        }
    }

    private static AwsKeyMaterial material() {
        return new AwsKeyMaterial(LocalStackKeyMaterialTest::secretsClient,
                () -> new ParameterStoreClient(LOCALSTACK.getEndpoint(), Region.of(LOCALSTACK.getRegion()),
                        credentials(), AwsCallLimits.DEFAULT));
    }

    private static SecretsManagerClient secretsClient() {
        return SecretsManagerClient.builder().endpointOverride(LOCALSTACK.getEndpoint())
                .region(Region.of(LOCALSTACK.getRegion())).credentialsProvider(credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** The SDK's own SSM client, only to store the parameter that ParameterStoreClient reads. */
    private static SsmClient ssmClient() {
        return SsmClient.builder().endpointOverride(LOCALSTACK.getEndpoint())
                .region(Region.of(LOCALSTACK.getRegion())).credentialsProvider(credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(
                AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey()));
    }
}
