package dev.directmx.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.directmx.sandbox.dns.SandboxZones;
import dev.directmx.sandbox.dns.ZoneDnsServer;
import dev.directmx.sandbox.smtp.ScriptedSmtpServer;
import dev.directmx.sandbox.sqs.EmbeddedSqs;
import dev.directmx.store.DynamoOutcomeStore;
import dev.directmx.store.Dynalite;
import dev.directmx.store.RecipientStatus;
import dev.directmx.store.StoredMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The deployment artifact itself: {@code target/directmx-lambda.jar} holds nothing local-only,
 * and on its own it runs the handler against DynamoDB (dynalite), SQS (ElasticMQ) and a real
 * DNS and SMTP server, exactly as the Lambda runtime would start it.
 */
class LambdaArtifactIT {

    private static final Path ARTIFACT = Path.of("target/directmx-lambda.jar");

    @RegisterExtension
    static final Dynalite DYNALITE = new Dynalite();

    @Test
    void artifactHoldsNoLocalOnlyCode() throws IOException {
        try (ZipFile jar = new ZipFile(ARTIFACT.toFile())) {
            List<String> localOnly = jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("org/elasticmq/") || n.startsWith("scala/") || n.startsWith("org/apache/pekko/")
                            || n.startsWith("org/sqlite/") || n.startsWith("dev/directmx/sandbox/")
                            || n.startsWith("dev/directmx/cli/") || n.startsWith("picocli/")
                            || n.contains("SqliteOutcomeStore") || n.startsWith("io/netty/")
                            || n.startsWith("org/apache/http/"))
                    .toList();
            assertThat(localOnly).isEmpty();
            assertThat(jar.getEntry("dev/directmx/lambda/SqsDeliveryHandler.class")).isNotNull();
            // The SnapStart runtime hook needs the org.crac facade at run time.
            assertThat(jar.getEntry("org/crac/Core.class")).isNotNull();
        }
    }

    @Test
    void artifactSpeaksDynamoDbWithoutTheSdksGeneratedClient() throws IOException {
        // store.DynamoApi replaced it: 3 MB and a thousand classes on every cold start.
        try (ZipFile jar = new ZipFile(ARTIFACT.toFile())) {
            assertThat(jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("software/amazon/awssdk/services/dynamodb/")))
                    .isEmpty();
            assertThat(jar.getEntry("dev/directmx/store/DynamoApi.class")).isNotNull();
            assertThat(jar.getEntry("software/amazon/awssdk/http/auth/aws/signer/AwsV4HttpSigner.class")).isNotNull();
        }
    }

    @Test
    void artifactAloneDeliversRecordsAndRejectsInvalidOnes(@TempDir Path tmp) throws Exception {
        try (EmbeddedSqs sqs = EmbeddedSqs.start();
                ScriptedSmtpServer mx = ScriptedSmtpServer.builder().bind(InetAddress.getByName("127.0.0.2"), 0).start();
                ZoneDnsServer dns = ZoneDnsServer.start(new SandboxZones().mx("example.net", 10, "mx.example.net")
                        .a("mx.example.net", "127.0.0.2"))) {
            String table = "artifact";
            DynamoOutcomeStore.createTable(DYNALITE.api(), table);
            Path seed = Files.writeString(tmp.resolve("seed.json"), """
                    {"id": "artifact-seed", "from": "sender@example.com", "to": ["recipient@example.net"],
                     "subject": "This is a sendable email", "text": "Hi there,\\nDid it hit the Spam folder?"}""");
            Path invalid = Files.writeString(tmp.resolve("invalid.json"), "{\"from\": \"sender@example.com\", \"to\": 7}");

            ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", ARTIFACT + java.io.File.pathSeparator + "target/test-classes",
                    LambdaArtifactMain.class.getName(), seed.toString(), invalid.toString())
                    .redirectErrorStream(true);
            Map<String, String> env = child.environment();
            env.put("DIRECTMX_TABLE", table);
            env.put("DIRECTMX_QUEUE_URL", sqs.queueUrl());
            env.put("DIRECTMX_DEAD_LETTER_QUEUE_URL", sqs.deadLetterQueueUrl());
            env.put("DIRECTMX_HELO", "client.example.com");
            env.put("DIRECTMX_DNS", dns.hostPort());
            env.put("DIRECTMX_PORTS", String.valueOf(mx.port()));
            env.put("DIRECTMX_FALLBACK_PORTS", "none");
            env.put("DIRECTMX_ALLOW_PRIVATE", "true");
            // The artifact signs too: an Ed25519 key from the environment, read at initialisation.
            java.security.KeyPair dkim = dev.directmx.dkim.PrivateKeys.generate(dev.directmx.dkim.DkimAlgorithm.ED25519_SHA256);
            env.put("DIRECTMX_DKIM_KEYS", "example.com/ed2026=env:ARTIFACT_DKIM_KEY");
            env.put("ARTIFACT_DKIM_KEY", dev.directmx.dkim.PrivateKeys.toPem(dkim.getPrivate()));
            env.put("AWS_REGION", "us-east-1");
            env.put("AWS_ACCESS_KEY_ID", "local");
            env.put("AWS_SECRET_ACCESS_KEY", "local");
            env.put("AWS_ENDPOINT_URL_DYNAMODB", DYNALITE.endpoint());
            env.put("AWS_ENDPOINT_URL_SQS", sqs.endpoint().toString());
            Process process = child.start();
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output).contains("failures=0");
            assertThat(mx.received()).singleElement().satisfies(m -> assertThat(m.recipients())
                    .containsExactly("recipient@example.net"));
            StoredMessage stored = new DynamoOutcomeStore(DYNALITE.api(), table).find("artifact-seed").orElseThrow();
            assertThat(stored.recipients().get(0).status()).isEqualTo(RecipientStatus.DELIVERED);
            assertThat(stored.recipients().get(0).lastAttempt().dkim()).isEqualTo("signed d=example.com s=ed2026 a=ed25519-sha256");
            assertThat(mx.received().get(0).text()).startsWith("DKIM-Signature: v=1; a=ed25519-sha256;")
                    .doesNotContain("PRIVATE KEY");
            assertThat(output).doesNotContain("PRIVATE KEY");
            List<Message> dead = sqs.client().receiveMessage(b -> b.queueUrl(sqs.deadLetterQueueUrl())
                    .maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
            assertThat(dead).singleElement().satisfies(m -> assertThat(m.body()).isEqualTo(Files.readString(invalid)));
        }
    }
}
