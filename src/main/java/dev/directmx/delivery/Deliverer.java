package dev.directmx.delivery;

import dev.directmx.dkim.MessageSigning;
import dev.directmx.dns.DestinationResolver;
import dev.directmx.message.ComposedMessage;
import dev.directmx.message.Mailbox;
import dev.directmx.message.OutboundMessage;
import dev.directmx.smtp.Deadline;
import dev.directmx.smtp.DotStuffing;
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
import java.util.function.Supplier;

/**
 * Delivers one message to its recipients: groups them by domain, and for each domain (in
 * parallel, on virtual threads) resolves its destinations and walks its routes until every
 * recipient has an outcome or the message deadline passes. Signs with DKIM when the sender's
 * domain has a key. Knows nothing of SQS or DynamoDB.
 *
 * <p>Lifecycle: one instance for the life of the process or Lambda execution environment,
 * shared by all threads, so that its {@link SmtpClient} can carry consecutive messages to one
 * destination over one connection ({@link dev.directmx.smtp.ConnectionReuse}). {@link #close}
 * says QUIT on the connections it keeps; in Lambda nothing needs closing.
 */
public final class Deliverer implements AutoCloseable {

    private final DestinationResolver dns;
    private final SmtpClient smtp;
    private final DeliverySettings settings;
    private final MessageSigning signing;
    private final Clock clock;

    public Deliverer(DestinationResolver dns, SmtpClient smtp, DeliverySettings settings, MessageSigning signing,
            Clock clock) {
        this.dns = dns;
        this.smtp = smtp;
        this.settings = settings;
        this.signing = signing;
        this.clock = clock;
    }

    /** A deliverer that signs nothing (every report says so). */
    public Deliverer(DestinationResolver dns, SmtpClient smtp, DeliverySettings settings, Clock clock) {
        this(dns, smtp, settings, MessageSigning.disabled(), clock);
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
        MessageSigning.Plan plan = signing.plan(message.sender().asciiDomain());
        MessageData data = messageData(message.content(), plan);
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
        return new DeliveryReport(message.content().messageId(), ordered, sessions, notes, plan.outcome(),
                Duration.between(start, clock.instant()));
    }

    /** Says QUIT on the SMTP connections kept for reuse. Idempotent. */
    @Override
    public void close() {
        smtp.close();
    }

    /** The domains whose DKIM keys this deliverer signs with, in configured order. */
    public List<String> signingDomains() {
        return signing.keyring().keys().stream().map(dev.directmx.dkim.SigningKey::domain).distinct().toList();
    }

    /**
     * Does everything a delivery does to a message before the first connection (plans its
     * signatures, signs both of its forms) and sends nothing: for warming the code paths
     * before a SnapStart snapshot. Returns the signing outcome.
     */
    public dev.directmx.dkim.Signing prepare(OutboundMessage message) {
        MessageSigning.Plan plan = signing.plan(message.sender().asciiDomain());
        MessageData data = messageData(message.content(), plan);
        if (message.content().eightBit() && !message.content().utf8Headers()) {
            data.sevenBit().get();
        }
        return plan.outcome();
    }

    /**
     * The octets SMTP may carry. Signed, each form is signed as it will go on the wire: the
     * composed (8-bit) form now, and the 7-bit form only if a server without 8BITMIME makes the
     * client re-encode, because re-encoding after signing would break the body hash.
     */
    private MessageData messageData(ComposedMessage content, MessageSigning.Plan plan) {
        if (plan.keys().isEmpty()) {
            return new MessageData(content.bytes(), content.eightBit(), content.needsSmtpUtf8(), content::sevenBit);
        }
        byte[] eightBit = signing.sign(DotStuffing.canonical(content.bytes()), plan).bytes();
        Supplier<byte[]> sevenBit = new Once(() -> signing.sign(DotStuffing.canonical(content.sevenBit()), plan).bytes());
        return new MessageData(eightBit, content.eightBit(), content.needsSmtpUtf8(), sevenBit);
    }

    /** Computes a value on first use and keeps it: domains delivered in parallel share one signature. */
    private static final class Once implements Supplier<byte[]> {
        private final Supplier<byte[]> compute;
        private byte[] value; // guarded by this

        Once(Supplier<byte[]> compute) {
            this.compute = compute;
        }

        @Override
        public synchronized byte[] get() {
            if (value == null) {
                value = compute.get();
            }
            return value;
        }
    }
}
