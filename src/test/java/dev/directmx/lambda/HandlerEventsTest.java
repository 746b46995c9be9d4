package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.directmx.message.InvalidMessageException;
import dev.directmx.message.MessageRequest;
import dev.directmx.sandbox.dns.SandboxZones;
import dev.directmx.sandbox.dns.ZoneDnsServer;
import dev.directmx.sandbox.smtp.ReceivedMessage;
import dev.directmx.sandbox.smtp.ScriptedSmtpServer;
import dev.directmx.store.MessageStatus;
import dev.directmx.store.OutcomeStore;
import dev.directmx.store.RecipientStatus;
import dev.directmx.store.SqliteOutcomeStore;
import dev.directmx.store.StoredMessage;
import dev.directmx.store.StoredRecipient;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Lambda handler, wired from configuration as the runtime wires it, on every sample event in
 * {@code events/}: the DNS answers come from the zone files in {@code infra/zones/} (every MX
 * host there is 127.0.0.2) and an SMTP server with STARTTLS on 127.0.0.2 plays each MX. Each file
 * must come out as {@link #EXPECTED} says: who is delivered, who fails for good, which bodies go
 * to the dead-letter queue.
 *
 * <p>The sample records carry 2023 timestamps; each record's {@code SentTimestamp} is set to now
 * first, as {@code directmx invoke} does, or every message would be past its maximum age.
 */
class HandlerEventsTest {

    private static final Path EVENTS = Path.of("events");
    private static final Path ZONES = Path.of("infra/zones");

    /** What every valid event file must come to: message key, then each recipient's final status. */
    private static final Map<String, Map<String, Map<String, RecipientStatus>>> EXPECTED = Map.of(
            "seed.json", Map.of("seed-2023-02-15", Map.of("recipient@example.net", RecipientStatus.DELIVERED)),
            "text-and-html.json", Map.of("text-and-html-1", Map.of("recipient@example.net", RecipientStatus.DELIVERED)),
            "attachment.json", Map.of("attachment-1", Map.of("recipient@example.net", RecipientStatus.DELIVERED)),
            "batch.json", Map.of(
                    "batch-1", Map.of("recipient@example.net", RecipientStatus.DELIVERED),
                    "batch-2", Map.of("postmaster@implicit.example", RecipientStatus.DELIVERED),
                    "batch-3", Map.of("nobody@nullmx.example", RecipientStatus.FAILED)),
            "multi-domain.json", Map.of("multi-domain-1", Map.of(
                    "recipient@example.net", RecipientStatus.DELIVERED,
                    "archive@example.net", RecipientStatus.DELIVERED,
                    "postmaster@implicit.example", RecipientStatus.DELIVERED,
                    "nobody@nullmx.example", RecipientStatus.FAILED)));

    /** The rejected files: the message id of each record, then a piece of its error. */
    private static final Map<String, Map<String, String>> REJECTED = Map.of(
            "invalid-body.json", Map.of(
                    "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "not valid JSON",
                    "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "to[0]"));

    private static ZoneDnsServer dns;

    private ScriptedSmtpServer mx;
    private OutcomeStore store;
    private final RecordingQueue queue = new RecordingQueue();

    @BeforeAll
    static void startDns() throws IOException {
        SandboxZones zones = new SandboxZones();
        try (Stream<Path> files = Files.list(ZONES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".zone")).sorted().toList()) {
                String origin = file.getFileName().toString().replaceFirst("\\.zone$", "");
                zones.zoneFile(Files.readString(file), origin);
            }
        }
        dns = ZoneDnsServer.start(zones);
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @BeforeEach
    void start() throws IOException {
        mx = ScriptedSmtpServer.builder().bind(InetAddress.getByName("127.0.0.2"), 0).start();
        store = SqliteOutcomeStore.inMemory();
    }

    @AfterEach
    void stop() {
        mx.close();
        store.close();
    }

    static Stream<String> eventFiles() throws IOException {
        try (Stream<Path> files = Files.list(EVENTS)) {
            List<String> names = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
            assertThat(names).as("event files in " + EVENTS.toAbsolutePath()).isNotEmpty();
            return names.stream();
        }
    }

    @Test
    void everyEventFileHasItsExpectedOutcome() throws IOException {
        Set<String> described = new HashSet<>(EXPECTED.keySet());
        described.addAll(REJECTED.keySet());
        assertThat(described).as("files described in this test").containsExactlyInAnyOrderElementsOf(eventFiles().toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventFiles")
    void handlerWorksTheEvent(String name) {
        SQSEvent event = load(name);

        SQSBatchResponse response = new SqsDeliveryHandler(processor()).handleRequest(event, new FixedContext());

        // Every record is finished: delivered, failed for good, or rejected. None is retried.
        assertThat(response.getBatchItemFailures()).as("batchItemFailures").isEmpty();
        assertThat(queue.visibilityChanges).as("visibility changes").isEmpty();
        if (REJECTED.containsKey(name)) {
            assertRejected(event.getRecords(), REJECTED.get(name));
        } else {
            assertDelivered(event.getRecords(), EXPECTED.get(name));
        }
    }

    private void assertDelivered(List<SQSMessage> records, Map<String, Map<String, RecipientStatus>> expected) {
        assertThat(queue.deadLetters).as("dead letters").isEmpty();
        assertThat(records.stream().map(r -> messageKey(r.getBody())).toList())
                .as("the message keys of the records").containsExactlyInAnyOrderElementsOf(expected.keySet());
        List<Set<String>> expectedTransactions = new ArrayList<>();
        expected.forEach((key, recipients) -> {
            StoredMessage stored = store.find(key).orElseThrow(() -> new AssertionError("nothing stored under " + key));
            assertThat(stored.status()).as(key + " status").isEqualTo(MessageStatus.DONE);
            Map<String, RecipientStatus> actual = new LinkedHashMap<>();
            stored.recipients().forEach(r -> actual.put(r.address(), r.status()));
            assertThat(actual).as(key + " recipients").containsExactlyInAnyOrderEntriesOf(recipients);
            Map<String, Set<String>> deliveredByDomain = new HashMap<>();
            for (StoredRecipient r : stored.recipients()) {
                assertThat(r.finalOutcome()).as(r.address() + " final").isTrue();
                assertThat(r.attempts()).as(r.address() + " attempts").isEqualTo(1);
                if (r.status() == RecipientStatus.DELIVERED) {
                    assertDeliveredOverTls(r);
                    deliveredByDomain.computeIfAbsent(domain(r.address()), d -> new HashSet<>()).add(r.address());
                } else {
                    assertNullMxFailure(r);
                }
            }
            expectedTransactions.addAll(deliveredByDomain.values());
        });
        // One SMTP transaction per message and recipient domain, holding exactly the delivered recipients.
        assertThat(mx.received().stream().map(m -> Set.copyOf(m.recipients())).toList())
                .as("recipients of each transaction the MX accepted")
                .containsExactlyInAnyOrderElementsOf(expectedTransactions);
        assertThat(mx.received()).allSatisfy(m -> assertThat(m.tls()).isTrue());
        assertThat(mx.received()).allSatisfy(HandlerEventsTest::assertNoBccHeader);
    }

    private void assertRejected(List<SQSMessage> records, Map<String, String> errors) {
        assertThat(records).extracting(SQSMessage::getMessageId).containsExactlyInAnyOrderElementsOf(errors.keySet());
        assertThat(queue.deadLetters).as("dead letters").hasSameSizeAs(records);
        for (SQSMessage record : records) {
            String id = record.getMessageId();
            assertThat(queue.deadLetters).filteredOn(d -> d.sourceMessageId().equals(id)).singleElement().satisfies(d -> {
                assertThat(d.body()).as("dead-letter body of " + id).isEqualTo(record.getBody());
                assertThat(d.error()).contains(errors.get(id));
            });
            StoredMessage rejected = store.find("rejected:" + id).orElseThrow(() -> new AssertionError(id + " not recorded"));
            assertThat(rejected.status()).isEqualTo(MessageStatus.REJECTED);
            assertThat(rejected.error()).contains(errors.get(id));
            assertThat(rejected.bodyExcerpt()).isEqualTo(record.getBody());
        }
        assertThat(mx.connectionCount()).as("SMTP connections").isZero();
    }

    private void assertDeliveredOverTls(StoredRecipient r) {
        assertThat(r.deliveredAt()).isNotNull();
        assertThat(r.lastAttempt().code()).as(r.address() + " reply").isEqualTo(250);
        assertThat(r.lastAttempt().route().address()).isEqualTo("127.0.0.2");
        assertThat(r.lastAttempt().route().port()).isEqualTo(mx.port());
        assertThat(r.lastAttempt().route().mxHost())
                .isEqualTo(domain(r.address()).equals("example.net") ? "mx.example.net" : domain(r.address()));
        assertThat(r.lastAttempt().route().tlsProtocol()).startsWith("TLSv1.");
    }

    /** RFC 7505: a null MX fails at once, for good, decided locally (no route). */
    private static void assertNullMxFailure(StoredRecipient r) {
        assertThat(domain(r.address())).isEqualTo("nullmx.example");
        assertThat(r.lastAttempt().code()).isEqualTo(556);
        assertThat(r.lastAttempt().enhancedCode()).isEqualTo("5.1.10");
        assertThat(r.lastAttempt().route()).isNull();
        assertThat(r.deliveredAt()).isNull();
    }

    private static void assertNoBccHeader(ReceivedMessage m) {
        String headers = m.text().split("\r\n\r\n", 2)[0].toLowerCase(Locale.ROOT);
        assertThat(headers).doesNotContain("\r\nbcc:").doesNotContain("archive@example.net");
    }

    private BatchProcessor processor() {
        Map<String, String> env = Map.of(
                DirectmxConfig.QUEUE_URL, "https://sqs.us-east-1.amazonaws.com/000000000000/directmx-queue",
                DirectmxConfig.DEAD_LETTER_QUEUE_URL, "https://sqs.us-east-1.amazonaws.com/000000000000/directmx-dlq",
                DirectmxConfig.HELO, "client.example.com",
                DirectmxConfig.DNS, dns.hostPort(),
                DirectmxConfig.PORTS, Integer.toString(mx.port()),
                DirectmxConfig.FALLBACK_PORTS, "none",
                DirectmxConfig.ALLOW_PRIVATE, "true");
        DirectmxConfig config = DirectmxConfig.from(env,
                List.of(DirectmxConfig.QUEUE_URL, DirectmxConfig.DEAD_LETTER_QUEUE_URL, DirectmxConfig.HELO));
        return DeliveryComponents.processor(config, store, queue, BatchObserver.NONE);
    }

    /** The event as Lambda's deserializer reads it, with every record sent just now. */
    private static SQSEvent load(String name) {
        SQSEvent event = EventLoader.loadSQSEvent(EVENTS.resolve(name).toAbsolutePath().toString());
        assertThat(event.getRecords()).as(name).isNotEmpty();
        String now = Long.toString(System.currentTimeMillis());
        for (SQSMessage record : event.getRecords()) {
            Map<String, String> attributes = new HashMap<>(record.getAttributes());
            attributes.put("SentTimestamp", now);
            record.setAttributes(attributes);
        }
        return event;
    }

    private static String domain(String address) {
        return address.substring(address.lastIndexOf('@') + 1);
    }

    /** The {@code id} a valid body carries, which is its message key in the store. */
    private static String messageKey(String body) {
        try {
            return MessageRequest.fromJson(body).id();
        } catch (InvalidMessageException e) {
            throw new AssertionError("a valid event holds an invalid body: " + e.getMessage(), e);
        }
    }

    /** A Lambda context with a minute left, however long the test takes. */
    private static final class FixedContext implements Context {

        @Override
        public String getAwsRequestId() {
            return "handler-events-test";
        }

        @Override
        public String getLogGroupName() {
            return "/aws/lambda/directmx";
        }

        @Override
        public String getLogStreamName() {
            return "test";
        }

        @Override
        public String getFunctionName() {
            return "directmx";
        }

        @Override
        public String getFunctionVersion() {
            return "$LATEST";
        }

        @Override
        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:us-east-1:000000000000:function:directmx";
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return 60_000;
        }

        @Override
        public int getMemoryLimitInMB() {
            return 512;
        }

        @Override
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override
                public void log(String message) {
                    System.err.print(message);
                }

                @Override
                public void log(byte[] message) {
                    System.err.write(message, 0, message.length);
                }
            };
        }
    }
}
