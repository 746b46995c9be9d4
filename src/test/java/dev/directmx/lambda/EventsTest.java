package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.directmx.message.InvalidMessageException;
import dev.directmx.message.Mailbox;
import dev.directmx.message.MessageComposer;
import dev.directmx.message.MessageLimits;
import dev.directmx.message.MessageRequest;
import dev.directmx.message.OutboundMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the sample SQS events in {@code events/} (the files for {@code sam local invoke -e}
 * and {@code directmx invoke}): Lambda's own deserializer reads each as an {@link SQSEvent},
 * every record looks like one SQS sends, and each body is the directmx message it claims to be.
 * Files named {@code invalid-*.json} hold bodies directmx must reject; all others must compose.
 */
class EventsTest {

    private static final Path EVENTS = Path.of("events");
    private static final Path ZONES = Path.of("infra/zones");

    static Stream<Path> eventFiles() throws IOException {
        try (Stream<Path> files = Files.list(EVENTS)) {
            List<Path> found = files.filter(file -> file.toString().endsWith(".json")).sorted().toList();
            assertThat(found).as("event files in " + EVENTS.toAbsolutePath()).isNotEmpty();
            return found.stream();
        }
    }

    static Stream<Path> validEventFiles() throws IOException {
        return eventFiles().filter(file -> !file.getFileName().toString().startsWith("invalid-"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventFiles")
    void everyRecordHasTheFieldsLambdaSendsForAnSqsMessage(Path file) throws Exception {
        List<SQSMessage> records = load(file);

        assertThat(records).isNotEmpty();
        for (SQSMessage record : records) {
            assertThat(record.getMessageId()).as("messageId").isNotBlank();
            assertThat(record.getReceiptHandle()).as("receiptHandle").isNotBlank();
            assertThat(record.getBody()).as("body").isNotNull();
            assertThat(record.getEventSource()).isEqualTo("aws:sqs");
            assertThat(record.getEventSourceArn()).startsWith("arn:aws:sqs:" + record.getAwsRegion() + ":");
            assertThat(record.getMd5OfBody()).as("md5OfBody").isEqualTo(md5(record.getBody()));
            assertThat(record.getAttributes()).containsKeys(
                    "ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp");
            assertThat(Long.parseLong(record.getAttributes().get("SentTimestamp"))).isPositive();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validEventFiles")
    void validBodiesParseAndCompose(Path file) throws Exception {
        for (SQSMessage record : load(file)) {
            OutboundMessage message = compose(record.getBody());
            assertThat(message.recipients()).as(record.getMessageId()).isNotEmpty();
            assertThat(message.content().size()).isPositive();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validEventFiles")
    void everyRecipientDomainHasALocalZone(Path file) throws Exception {
        // The zones the local DNS serves (infra/zones): a local run resolves every recipient.
        for (SQSMessage record : load(file)) {
            for (String domain : compose(record.getBody()).recipientsByDomain().keySet()) {
                assertThat(ZONES.resolve(domain + ".zone")).as(domain).isRegularFile();
            }
        }
    }

    @Test
    void invalidBodyEventHoldsBrokenJsonAndAnAddressWithTwoAtSigns() throws Exception {
        List<SQSMessage> records = load(EVENTS.resolve("invalid-body.json"));
        assertThat(records).hasSize(2);

        InvalidMessageException brokenJson = catchThrowableOfType(InvalidMessageException.class,
                () -> compose(records.get(0).getBody()));
        assertThat(brokenJson.field()).isEqualTo("text");
        assertThat(brokenJson).hasMessageStartingWith("text: is not valid JSON");

        InvalidMessageException badAddress = catchThrowableOfType(InvalidMessageException.class,
                () -> compose(records.get(1).getBody()));
        assertThat(badAddress.field()).isEqualTo("to[0]");
        assertThat(badAddress).hasMessageContaining("because@i-can@example.com");
    }

    @Test
    void seedEventCarriesTheSeedMessage() throws Exception {
        List<SQSMessage> records = load(EVENTS.resolve("seed.json"));
        assertThat(records).hasSize(1);

        MessageRequest request = MessageRequest.fromJson(records.get(0).getBody());
        assertThat(request.from()).isEqualTo("sender@example.com");
        assertThat(request.to()).containsExactly("recipient@example.net");
        assertThat(request.subject()).isEqualTo("This is a sendable email");
        assertThat(request.text()).isEqualTo("Hi there,\nDid it hit the Spam folder?");
    }

    @Test
    void multiDomainEventReachesAnMxAnImplicitMxAndANullMx() throws Exception {
        List<SQSMessage> records = load(EVENTS.resolve("multi-domain.json"));
        assertThat(records).hasSize(1);

        Map<String, List<Mailbox>> byDomain = compose(records.get(0).getBody()).recipientsByDomain();
        assertThat(byDomain).containsOnlyKeys("example.net", "implicit.example", "nullmx.example");
        assertThat(byDomain.values().stream().mapToInt(List::size).sum()).isGreaterThan(byDomain.size());
    }

    @Test
    void textAndHtmlEventMakesAMultipartAlternative() throws Exception {
        OutboundMessage message = compose(load(EVENTS.resolve("text-and-html.json")).get(0).getBody());
        assertThat(message.request().text()).isNotBlank();
        assertThat(message.request().html()).isNotBlank();
        assertThat(new String(message.content().bytes(), StandardCharsets.UTF_8)).contains("multipart/alternative");
    }

    @Test
    void attachmentEventCarriesAPdfAndATextFile() throws Exception {
        OutboundMessage message = compose(load(EVENTS.resolve("attachment.json")).get(0).getBody());

        assertThat(message.request().attachments()).extracting(a -> a.contentType())
                .containsExactly("application/pdf", "text/plain");
        assertThat(java.util.Base64.getDecoder().decode(message.request().attachments().get(0).content()))
                .startsWith("%PDF-".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(message.content().bytes(), StandardCharsets.UTF_8)).contains("multipart/mixed")
                .contains("report.pdf").contains("notes.txt");
    }

    @Test
    void batchEventHoldsThreeMessages() throws Exception {
        List<SQSMessage> records = load(EVENTS.resolve("batch.json"));
        assertThat(records).hasSize(3);
        for (SQSMessage record : records) {
            compose(record.getBody());
        }
    }

    @Test
    void messageIdsAndClientIdsAreUniqueAcrossAllEvents() throws Exception {
        // Local runs share one table: a repeated id would read as a redelivery of another event.
        List<String> messageIds = new ArrayList<>();
        List<String> clientIds = new ArrayList<>();
        for (Path file : eventFiles().toList()) {
            for (SQSMessage record : load(file)) {
                messageIds.add(record.getMessageId());
                if (!file.getFileName().toString().startsWith("invalid-")) {
                    String id = MessageRequest.fromJson(record.getBody()).id();
                    if (id != null) {
                        clientIds.add(id);
                    }
                }
            }
        }
        assertThat(messageIds).doesNotHaveDuplicates();
        assertThat(clientIds).doesNotHaveDuplicates();
    }

    @Test
    void localZonesAreTheEndToEndTestZones() throws IOException {
        // Two copies of one set of zones (infra/zones for local runs, scripts/peers/zones for the
        // end-to-end tests) must not drift apart.
        Path peers = Path.of("scripts/peers/zones");
        assertThat(names(ZONES)).isEqualTo(names(peers));
        for (String name : names(ZONES)) {
            assertThat(ZONES.resolve(name)).as(name).hasSameTextualContentAs(peers.resolve(name));
        }
    }

    private static List<SQSMessage> load(Path file) {
        SQSEvent event = EventLoader.loadSQSEvent(file.toAbsolutePath().toString());
        assertThat(event).as(file.toString()).isNotNull();
        assertThat(event.getRecords()).as(file + " Records").isNotNull();
        return event.getRecords();
    }

    private static OutboundMessage compose(String body) throws InvalidMessageException {
        return new MessageComposer(Clock.systemUTC(), MessageLimits.defaults()).compose(MessageRequest.fromJson(body));
    }

    private static String md5(String body) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static Set<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
