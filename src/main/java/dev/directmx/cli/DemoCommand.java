package dev.directmx.cli;

import dev.directmx.dkim.DkimAlgorithm;
import dev.directmx.dkim.DkimSigner;
import dev.directmx.dkim.Keyring;
import dev.directmx.dkim.MessageSigning;
import dev.directmx.dkim.PrivateKeys;
import dev.directmx.dkim.SigningKey;
import java.security.KeyPair;

import dev.directmx.delivery.DeliveryReport;
import dev.directmx.lambda.BatchObserver;
import dev.directmx.lambda.BatchProcessor;
import dev.directmx.lambda.DeliveryComponents;
import dev.directmx.lambda.DirectmxConfig;
import dev.directmx.lambda.SqsQueueActions;
import dev.directmx.lambda.SqsWorker;
import dev.directmx.message.MessageRequest;
import dev.directmx.sandbox.dns.SandboxZones;
import dev.directmx.sandbox.dns.ZoneDnsServer;
import dev.directmx.sandbox.smtp.ReceivedMessage;
import dev.directmx.sandbox.smtp.ScriptedSmtpServer;
import dev.directmx.sandbox.sqs.EmbeddedSqs;
import dev.directmx.store.MessageStatus;
import dev.directmx.store.OutcomeStore;
import dev.directmx.store.SqliteOutcomeStore;
import dev.directmx.store.StoredMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code directmx demo}: the whole system, offline, on embedded defaults. ElasticMQ in the JVM
 * is the queue, SQLite in memory the outcome store, and a DNS zone and a receiving MX with
 * STARTTLS run on loopback. The seed's message is enqueued and the worker runs the Lambda's
 * batch logic until it is delivered. The MX greylists, like postgrey, and the zone's first MX is
 * dead, as with nolisting: so the demo shows the fallback, the deferral, the visibility delay
 * and the retry that delivers.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the whole system offline: ElasticMQ as the queue, SQLite as the outcome store, a local DNS zone",
            "and a local greylisting MX with STARTTLS. Enqueues the seed's message, runs the worker until it is",
            "delivered, and shows the annotated SMTP conversations, the stored outcome and the delivered message."},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.SOFTWARE)
public final class DemoCommand implements Callable<Integer> {

    /** How long the demo waits for the message to be finished before giving up. */
    static final Duration PATIENCE = Duration.ofSeconds(90);

    /** The seed article's message, word for word. */
    static MessageRequest seedMessage() {
        return new MessageRequest("seed-demo-1", "sender@example.com", null, List.of("recipient@example.net"), List.of(),
                List.of(), List.of(), "This is a sendable email", "Hi there,\nDid it hit the Spam folder?", null,
                Map.of(), List.of());
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        // A DKIM key made for this run, its public half published in the demo's DNS zone.
        KeyPair dkimKey = PrivateKeys.generate(DkimAlgorithm.ED25519_SHA256);
        SigningKey signingKey = new SigningKey("example.com", "demo", dkimKey.getPrivate());
        err.println("demo: starting the queue (ElasticMQ in this JVM) ...");
        try (EmbeddedSqs sqs = EmbeddedSqs.start();
                OutcomeStore store = SqliteOutcomeStore.inMemory();
                ScriptedSmtpServer mx = ScriptedSmtpServer.builder().bind(loopback, 0).hostname("mx2.example.net")
                        .greylist(Duration.ofSeconds(2)).start();
                ZoneDnsServer dns = ZoneDnsServer.start(zones()
                        .txt(signingKey.recordName(), PrivateKeys.dnsRecord(dkimKey.getPublic())))) {
            err.println("demo: the recipient's MX (mx2.example.net, greylisting, STARTTLS) listens on 127.0.0.1:" + mx.port()
                    + "; mx1.example.net is down; DNS at " + dns.hostPort());
            DirectmxConfig config = DirectmxConfig.from(Map.of(
                    DirectmxConfig.QUEUE_URL, sqs.queueUrl(),
                    DirectmxConfig.DEAD_LETTER_QUEUE_URL, sqs.deadLetterQueueUrl(),
                    DirectmxConfig.HELO, "example.com",
                    DirectmxConfig.DNS, dns.hostPort(),
                    DirectmxConfig.PORTS, String.valueOf(mx.port()),
                    DirectmxConfig.FALLBACK_PORTS, "none",
                    DirectmxConfig.ALLOW_PRIVATE, "true",
                    // Seconds instead of minutes, so that the retry happens while you watch.
                    DirectmxConfig.BACKOFF_MIN, "3s",
                    DirectmxConfig.TIME_RESERVE, "2s"), List.of());
            err.println("demo: messages from example.com are DKIM-signed with a fresh Ed25519 key; its record "
                    + signingKey.recordName() + " is in the demo's DNS");
            MessageSigning signing = new MessageSigning(Keyring.of(List.of(signingKey)),
                    new DkimSigner(config.dkim().settings()), Clock.systemUTC());
            BatchProcessor processor = DeliveryComponents.processor(config, signing, store,
                    new SqsQueueActions(sqs.client(), sqs.queueUrl(), sqs.deadLetterQueueUrl()), new Narrator(out, err));
            MessageRequest seed = seedMessage();
            sqs.client().sendMessage(b -> b.queueUrl(sqs.queueUrl()).messageBody(seed.toJson()));
            err.println("demo: enqueued the seed's message (id " + seed.id() + "); the worker starts polling");
            Optional<StoredMessage> stored;
            try (processor) {
                stored = runWorker(sqs, processor, store, seed.id(), err);
            }
            out.println();
            if (stored.isEmpty()) {
                out.println("# ---- the store has no record of " + seed.id());
                out.flush();
                return ExitCodes.SOFTWARE;
            }
            out.println("# ---- the stored outcome (directmx status " + seed.id() + ")");
            StatusCommand.print(out, stored.get());
            printDelivered(out, mx.received());
            return stored.get().recipients().stream().allMatch(r -> r.status().name().equals("DELIVERED"))
                    ? ExitCodes.OK : ExitCodes.DEFERRED;
        }
    }

    private static SandboxZones zones() {
        // mx1 points at 127.0.0.2, where nothing listens on the MX's port: a dead first MX, as
        // nolisting sets up on purpose, so the fallback to mx2 shows in the log.
        return new SandboxZones()
                .mx("example.net", 10, "mx1.example.net")
                .mx("example.net", 20, "mx2.example.net")
                .a("mx1.example.net", "127.0.0.2")
                .a("mx2.example.net", "127.0.0.1")
                .a("example.com", "127.0.0.1");
    }

    /** Runs the worker until the message is finished (or {@link #PATIENCE} runs out). */
    private static Optional<StoredMessage> runWorker(EmbeddedSqs sqs, BatchProcessor processor, OutcomeStore store,
            String key, PrintWriter err) throws InterruptedException {
        SqsWorker worker = new SqsWorker(sqs.client(), sqs.queueUrl(), processor::process,
                new SqsWorker.Settings(Duration.ofSeconds(1), 10, Duration.ofMinutes(2)), err, Clock.systemUTC());
        AtomicBoolean stop = new AtomicBoolean();
        Thread polling = Thread.ofVirtual().name("demo-worker").start(() -> worker.run(stop));
        long giveUp = System.nanoTime() + PATIENCE.toNanos();
        Optional<StoredMessage> stored = store.find(key);
        while (System.nanoTime() < giveUp && stored.map(m -> m.status() != MessageStatus.DONE).orElse(true)) {
            Thread.sleep(200);
            stored = store.find(key);
        }
        stop.set(true);
        polling.join(Duration.ofSeconds(5));
        return stored;
    }

    private static void printDelivered(PrintWriter out, List<ReceivedMessage> received) {
        out.println();
        if (received.isEmpty()) {
            out.println("# ---- the local MX stored nothing");
        } else {
            ReceivedMessage stored = received.get(0);
            out.println("# ---- what mx2.example.net stored (" + (stored.tls() ? "received over " + stored.tlsProtocol()
                    : "received without TLS") + ", envelope " + stored.mailFrom() + " -> " + String.join(", ",
                    stored.recipients()) + ")");
            out.print(stored.text().replace("\r\n", "\n"));
        }
        out.flush();
    }

    /** Prints each delivery run as the annotated conversation, and each requeue as it happens. */
    private static final class Narrator implements BatchObserver {
        private final PrintWriter out;
        private final PrintWriter err;
        private int run;

        Narrator(PrintWriter out, PrintWriter err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public synchronized void delivered(String key, DeliveryReport report) {
            run++;
            out.println();
            out.println("# ======== delivery run " + run + " of " + key);
            new AnnotatedReport(out).print(report);
        }

        @Override
        public void rejected(String sqsMessageId, String error) {
            err.println("demo: record " + sqsMessageId + " rejected to the dead-letter queue: " + error);
        }

        @Override
        public void requeued(String key, long delaySeconds, String why) {
            out.println("# ---- " + key + " goes back on the queue, invisible for " + delaySeconds
                    + " s (ChangeMessageVisibility): " + why);
            out.flush();
        }
    }
}
