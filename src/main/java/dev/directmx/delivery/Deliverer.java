package dev.directmx.delivery;

import dev.directmx.dns.DestinationResolver;
import dev.directmx.message.Mailbox;
import dev.directmx.message.OutboundMessage;
import dev.directmx.smtp.Deadline;
import dev.directmx.smtp.MessageData;
import dev.directmx.smtp.SmtpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Delivers one message to its recipients: groups them by domain, and for each domain (in
 * parallel, on virtual threads) resolves its destinations and walks its routes until every
 * recipient has an outcome or the message deadline passes. Knows nothing of SQS or DynamoDB.
 * Thread-safe; one instance serves many messages.
 */
public final class Deliverer {

    private final DestinationResolver dns;
    private final SmtpClient smtp;
    private final DeliverySettings settings;
    private final Clock clock;

    public Deliverer(DestinationResolver dns, SmtpClient smtp, DeliverySettings settings, Clock clock) {
        this.dns = dns;
        this.smtp = smtp;
        this.settings = settings;
        this.clock = clock;
    }

    /** Delivers to every recipient of the message within the configured deadline. */
    public DeliveryReport deliver(OutboundMessage message) {
        return deliver(message, message.recipients(), Deadline.after(settings.deadline(), clock));
    }

    /**
     * Delivers to {@code recipients} (a subset of the message's, e.g. those not yet delivered)
     * before {@code deadline}.
     */
    public DeliveryReport deliver(OutboundMessage message, List<Mailbox> recipients, Deadline deadline) {
        Instant start = clock.instant();
        MessageData data = new MessageData(message.content().bytes(), message.content().eightBit(),
                message.content().needsSmtpUtf8(), message.content()::sevenBit);
        String mailFrom = message.envelopeFrom().envelopeAddress();
        Map<String, List<Mailbox>> byDomain = new LinkedHashMap<>();
        for (Mailbox recipient : recipients) {
            byDomain.computeIfAbsent(recipient.asciiDomain(), d -> new ArrayList<>()).add(recipient);
        }
        DomainDelivery domainDelivery = new DomainDelivery(dns, smtp, settings, mailFrom, data);
        List<DomainDelivery.Result> results = new ArrayList<>();
        try (ExecutorService domains = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<DomainDelivery.Result>> futures = new ArrayList<>();
            for (Map.Entry<String, List<Mailbox>> entry : byDomain.entrySet()) {
                futures.add(domains.submit(() -> domainDelivery.deliver(entry.getKey(), entry.getValue(), deadline)));
            }
            for (Future<DomainDelivery.Result> future : futures) {
                results.add(future.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("delivery interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("delivery failed unexpectedly: " + e.getCause(), e.getCause());
        }
        Map<String, RecipientOutcome> byAddress = new LinkedHashMap<>();
        List<SessionLog> sessions = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (DomainDelivery.Result result : results) {
            result.outcomes().forEach(o -> byAddress.put(o.recipient(), o));
            sessions.addAll(result.sessions());
            notes.addAll(result.notes());
        }
        List<RecipientOutcome> ordered = recipients.stream().map(r -> byAddress.get(r.address())).toList();
        return new DeliveryReport(message.content().messageId(), ordered, sessions, notes,
                Duration.between(start, clock.instant()));
    }
}
