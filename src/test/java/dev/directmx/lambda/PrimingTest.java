package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.directmx.delivery.AddressPolicy;
import dev.directmx.delivery.Deliverer;
import dev.directmx.delivery.DeliverySettings;
import dev.directmx.delivery.RetryPolicy;
import dev.directmx.delivery.ServicePort;
import dev.directmx.dkim.DkimAlgorithm;
import dev.directmx.dkim.DkimSigner;
import dev.directmx.dkim.Keyring;
import dev.directmx.dkim.MessageSigning;
import dev.directmx.dkim.PrivateKeys;
import dev.directmx.dkim.SigningKey;
import dev.directmx.dkim.SigningSettings;
import dev.directmx.dns.DestinationResolver;
import dev.directmx.dns.DnsServers;
import dev.directmx.message.MessageComposer;
import dev.directmx.message.MessageLimits;
import dev.directmx.sandbox.smtp.ScriptedSmtpServer;
import dev.directmx.smtp.SmtpClient;
import dev.directmx.smtp.StartTls;
import dev.directmx.smtp.TlsMode;
import dev.directmx.store.SqliteOutcomeStore;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SnapStart priming: the delivery path runs up to the first connection, and nothing leaves. */
class PrimingTest {

    @TempDir
    Path dir;

    private BatchProcessor processor(SqliteOutcomeStore store, RecordingQueue queue, MessageSigning signing, int port) {
        DeliverySettings delivery = new DeliverySettings(List.of(new ServicePort(port, TlsMode.STARTTLS)), List.of(),
                new AddressPolicy(true), StartTls.WHEN_OFFERED, Duration.ofSeconds(5), Duration.ofSeconds(1));
        // The resolver points at a port where nothing answers: priming must not even ask DNS.
        Deliverer deliverer = new Deliverer(new DestinationResolver(DnsServers.resolver("127.0.0.1:9", Duration.ofMillis(200)),
                new Random(1)), new SmtpClient(SmtpClient.Settings.defaults("client.example.com")), delivery, signing,
                Clock.systemUTC());
        BatchSettings settings = new BatchSettings(new RetryPolicy(Duration.ofMinutes(5), RetryPolicy.SQS_MAX_DELAY,
                Duration.ofDays(5), Duration.ofHours(24)), 8, Duration.ofSeconds(2), Duration.ofSeconds(20),
                Duration.ofDays(30), Duration.ofSeconds(30));
        return new BatchProcessor(new MessageComposer(Clock.systemUTC(), MessageLimits.defaults()), deliverer, store, queue,
                settings, Clock.systemUTC(), new Random(2), BatchObserver.NONE);
    }

    @Test
    void primingComposesAndSignsTheSampleButSendsWritesAndQueuesNothing() throws Exception {
        SigningKey key = new SigningKey("example.org", "ed2026",
                PrivateKeys.generate(DkimAlgorithm.ED25519_SHA256).getPrivate());
        MessageSigning signing = new MessageSigning(Keyring.of(List.of(key)), new DkimSigner(SigningSettings.defaults()),
                Clock.systemUTC());
        RecordingQueue queue = new RecordingQueue();
        try (SqliteOutcomeStore store = SqliteOutcomeStore.open(dir.resolve("outcomes.db"));
                ScriptedSmtpServer mx = ScriptedSmtpServer.builder().bind(InetAddress.getByName("127.0.0.2"), 0).start()) {
            List<String> steps = processor(store, queue, signing, mx.port()).prime();

            assertThat(steps).hasSize(4);
            assertThat(steps.get(0)).matches("composed a sample message of \\d+ octets");
            assertThat(steps.get(1)).isEqualTo("DKIM signed d=example.org s=ed2026 a=ed25519-sha256");
            assertThat(steps.get(2)).matches("TLS: built a ClientHello of \\d+ octets");
            assertThat(steps.get(3)).isEqualTo("read the outcome store");
            assertThat(mx.received()).isEmpty();
            assertThat(mx.peakConnections()).isZero();
            assertThat(store.find(BatchProcessor.PRIMING_KEY)).isEmpty();
            assertThat(queue.visibilityChanges).isEmpty();
            assertThat(queue.deadLetters).isEmpty();
        }
    }

    @Test
    void primingWithoutKeysSaysTheSampleWentUnsignedAndStillReadsTheStore() throws Exception {
        try (SqliteOutcomeStore store = SqliteOutcomeStore.open(dir.resolve("outcomes.db"))) {
            List<String> steps = processor(store, new RecordingQueue(), MessageSigning.disabled(), 25).prime();

            assertThat(steps).contains("DKIM unsigned: DKIM signing is not configured (no keys)", "read the outcome store");
        }
    }

    @Test
    void aFailingStoreIsReportedNotThrown() throws Exception {
        SqliteOutcomeStore store = SqliteOutcomeStore.open(dir.resolve("outcomes.db"));
        store.close();
        List<String> steps = processor(store, new RecordingQueue(), MessageSigning.disabled(), 25).prime();

        assertThat(steps).last().asString().startsWith("reading the outcome store failed: ");
    }
}
