package dev.directmx.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.directmx.delivery.Deliverer;
import dev.directmx.delivery.DeliveryReport;
import dev.directmx.delivery.RecipientOutcome;
import dev.directmx.message.InvalidMessageException;
import dev.directmx.message.Mailbox;
import dev.directmx.message.MessageComposer;
import dev.directmx.message.MessageRequest;
import dev.directmx.message.OutboundMessage;
import dev.directmx.smtp.Deadline;
import dev.directmx.store.Attempt;
import dev.directmx.store.Lease;
import dev.directmx.store.MessageStatus;
import dev.directmx.store.NewMessage;
import dev.directmx.store.Opened;
import dev.directmx.store.OutcomeStore;
import dev.directmx.store.RecipientStatus;
import dev.directmx.store.StoredMessage;
import dev.directmx.store.StoredRecipient;
import dev.directmx.store.StoredRoute;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Works one batch of queue records, for the Lambda handler and the {@code worker} alike: each
 * record is parsed, delivered to the recipients that do not have it yet, recorded, and then
 * either finished (SQS deletes it) or put back with a visibility delay and reported in
 * {@code batchItemFailures}. It never throws for a record: an invalid body is recorded as
 * rejected and kept whole in the dead-letter queue, and any other trouble requeues the record.
 * Thread-safe; one instance per process. The worker and the demo {@link #close} it when they
 * stop, so that the SMTP connections kept for reuse end with QUIT; in Lambda nothing needs
 * closing, since the environment is frozen and connections that die meanwhile are not reused.
 */
public final class BatchProcessor implements AutoCloseable {

    /** How much of a rejected body the store keeps; the dead-letter queue keeps all of it. */
    static final int EXCERPT_CHARS = 2000;

    /** How much of a reply's text is stored per attempt. */
    static final int REPLY_CHARS = 1000;

    private final MessageComposer composer;
    private final Deliverer deliverer;
    private final OutcomeStore store;
    private final QueueActions queue;
    private final BatchSettings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final BatchObserver observer;

    public BatchProcessor(MessageComposer composer, Deliverer deliverer, OutcomeStore store, QueueActions queue,
            BatchSettings settings, Clock clock, RandomGenerator random, BatchObserver observer) {
        this.composer = composer;
        this.deliverer = deliverer;
        this.store = store;
        this.queue = queue;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.observer = observer;
    }

    /**
     * Works every record concurrently (at most {@code concurrency} at once) within the time
     * {@code remaining} reports, and returns the records to retry.
     */
    public SQSBatchResponse process(List<SQSEvent.SQSMessage> records, Supplier<Duration> remaining) {
        Semaphore slots = new Semaphore(settings.concurrency());
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> done = new ArrayList<>();
            for (SQSEvent.SQSMessage record : records) {
                done.add(workers.submit(() -> {
                    slots.acquireUninterruptibly();
                    try {
                        return work(record, remaining);
                    } finally {
                        slots.release();
                    }
                }));
            }
            for (int i = 0; i < records.size(); i++) {
                if (!finished(done.get(i))) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(records.get(i).getMessageId()));
                }
            }
        }
        return new SQSBatchResponse(failures);
    }

    private static boolean finished(Future<Boolean> result) {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            // work() catches everything a record can throw; an Error here leaves the record to
            // its visibility timeout, which is the safe side.
            return false;
        }
    }

    /** The store key priming reads: no message is ever stored under it. */
    static final String PRIMING_KEY = "directmx-priming-never-stored";

    /**
     * Runs what a record goes through before its first connection, with a built-in sample
     * message (8-bit text, HTML, an attachment, From a domain with a DKIM key when there is one):
     * JSON parsing, validation, MIME composition, DKIM signing of both forms, the TLS client (a
     * ClientHello built in memory); and one read of the store for a key that never exists, which
     * builds its client's marshallers, credentials and connection. Sends nothing, writes nothing, changes no queue. For Lambda SnapStart:
     * run before the snapshot, so that the first batch after a restore finds these classes
     * loaded and initialised. A failing step is reported, not thrown: priming only saves time.
     *
     * @return one line per step, for the function's log
     */
    public List<String> prime() {
        List<String> steps = new ArrayList<>();
        String domain = deliverer.signingDomains().stream().findFirst().orElse("example.com");
        try {
            MessageRequest request = MessageRequest.fromJson(primingMessage(domain));
            OutboundMessage message = composer.compose(request);
            steps.add("composed a sample message of " + message.content().size() + " octets");
            steps.add("DKIM " + deliverer.prepare(message).describe());
        } catch (InvalidMessageException | RuntimeException e) {
            steps.add("composing the sample failed: " + e);
        }
        try {
            steps.add("TLS: built a ClientHello of " + dev.directmx.smtp.OpportunisticTls.primeClientHello() + " octets");
        } catch (RuntimeException e) {
            steps.add("TLS priming failed: " + e.getMessage());
        }
        try {
            store.find(PRIMING_KEY);
            steps.add("read the outcome store");
        } catch (RuntimeException e) {
            steps.add("reading the outcome store failed: " + e.getClass().getSimpleName());
        }
        return steps;
    }

    private static String primingMessage(String domain) {
        return """
                {"id": "%s", "from": "Priming <priming@%s>", "to": ["priming@example.net"],
                 "subject": "Grüße vor dem Snapshot", "text": "Grüße aus Köln: ça va ?",
                 "html": "<p>Grüße aus <b>Köln</b></p>",
                 "attachments": [{"filename": "a.txt", "contentType": "text/plain", "content": "aGVsbG8="}]}
                """.formatted(PRIMING_KEY, domain);
    }

    /** Works one record; true when it is finished and may be deleted from the queue. */
    boolean work(SQSEvent.SQSMessage record, Supplier<Duration> remaining) {
        String key = "record " + record.getMessageId();
        try {
            Duration budget = remaining.get().minus(settings.timeReserve());
            if (budget.compareTo(BatchSettings.MINIMUM_WORK) < 0) {
                return requeue(record, key, settings.shortRequeue(), "too little time left in this invocation");
            }
            OutboundMessage message;
            MessageRequest request;
            try {
                request = MessageRequest.fromJson(record.getBody());
                message = composer.compose(request);
            } catch (InvalidMessageException e) {
                return reject(record, e.getMessage());
            }
            key = request.id() != null ? request.id() : message.content().messageId();
            return deliver(record, key, message, budget);
        } catch (RuntimeException e) {
            // The store or the queue failed (throttling, network): nothing is decided, try again soon.
            return requeueQuietly(record, key, "internal error: " + e);
        }
    }

    /** The design's rule for invalid input: recorded as rejected, the body kept whole in the dead-letter queue. */
    private boolean reject(SQSEvent.SQSMessage record, String error) {
        String body = record.getBody() == null ? "" : record.getBody();
        queue.sendToDeadLetter(record.getMessageId(), body, error);
        store.reject("rejected:" + record.getMessageId(), error,
                body.length() > EXCERPT_CHARS ? body.substring(0, EXCERPT_CHARS) : body, clock.instant());
        observer.rejected(record.getMessageId(), error);
        return true;
    }

    private boolean deliver(SQSEvent.SQSMessage record, String key, OutboundMessage message, Duration budget) {
        Instant now = clock.instant();
        String owner = record.getMessageId() + "/" + UUID.randomUUID();
        Duration deadline = budget.compareTo(settings.deadline()) < 0 ? budget : settings.deadline();
        Lease lease = new Lease(owner, now.plus(deadline).plus(settings.timeReserve()));
        // A message seen for the first time comes back with its recipients already claimed.
        Opened opened = store.open(new NewMessage(key, message.content().messageId(), message.sender().address(),
                message.request().subject(), message.recipients().stream().map(Mailbox::address).toList(),
                now.plus(settings.recordTtl())), lease, now);
        StoredMessage stored = opened.message();
        Map<String, StoredRecipient> known = new HashMap<>();
        stored.recipients().forEach(r -> known.put(r.address(), r));
        List<Mailbox> open = message.recipients().stream()
                .filter(r -> known.get(r.address()) == null || !known.get(r.address()).finalOutcome()).toList();
        if (open.isEmpty()) {
            // A redelivery of a finished message: every recipient already has it (or failed for good).
            store.finishMessage(key, MessageStatus.DONE, now);
            return true;
        }
        Instant firstSeen = firstSeen(record, stored);
        if (Duration.between(firstSeen, now).compareTo(settings.retry().maxAge()) >= 0) {
            return expire(key, open, known, opened.leased(), owner, now);
        }
        List<Mailbox> claimed = new ArrayList<>();
        for (Mailbox r : open) {
            if (opened.leased().contains(r.address())
                    || store.claim(key, r.address(), owner, lease.until(), now)) {
                claimed.add(r);
            }
        }
        int stillOpen = open.size() - claimed.size();
        int attempts = 0;
        if (!claimed.isEmpty()) {
            DeliveryReport report = deliverer.deliver(message, claimed, Deadline.after(deadline, clock));
            observer.delivered(key, report);
            for (RecipientOutcome outcome : report.recipients()) {
                StoredRecipient before = known.get(outcome.recipient());
                Attempt attempt = attempt(outcome, before, report.dkim().describe(), clock.instant());
                if (before == null) {
                    store.recordAttempt(key, outcome.recipient(), owner, attempt);
                } else {
                    // What open read is still the record unless another copy wrote meanwhile: the store checks.
                    store.recordAttempt(key, before, owner, attempt);
                }
                if (!attempt.finalOutcome()) {
                    stillOpen++;
                }
                attempts = Math.max(attempts, (before == null ? 0 : before.attempts()) + 1);
            }
        }
        if (stillOpen == 0) {
            store.finishMessage(key, MessageStatus.DONE, clock.instant());
            return true;
        }
        if (claimed.isEmpty()) {
            // Another copy of this message holds every open recipient right now (SQS delivered it
            // twice): come back shortly to see how that copy did, without sending anything. The
            // message record is that copy's to write; writing PENDING here could undo its DONE.
            return requeue(record, key, settings.shortRequeue(), "another worker is delivering it");
        }
        store.finishMessage(key, MessageStatus.PENDING, clock.instant());
        return requeue(record, key, settings.retry().delay(attempts, random), "not every recipient has it yet");
    }

    /** When the queue first had the record: SQS's SentTimestamp, else our first sight of it. */
    private static Instant firstSeen(SQSEvent.SQSMessage record, StoredMessage stored) {
        Map<String, String> attributes = record.getAttributes();
        String sent = attributes == null ? null : attributes.get("SentTimestamp");
        if (sent != null) {
            try {
                Instant enqueued = Instant.ofEpochMilli(Long.parseLong(sent));
                return enqueued.isBefore(stored.firstSeen()) ? enqueued : stored.firstSeen();
            } catch (NumberFormatException ignored) {
                // Fall back to the store's time.
            }
        }
        return stored.firstSeen();
    }

    /** Past the maximum age: every open recipient fails for good (Postfix: "expired"). */
    private boolean expire(String key, List<Mailbox> open, Map<String, StoredRecipient> known, Set<String> leased,
            String owner, Instant now) {
        for (Mailbox r : open) {
            boolean claimed = leased.contains(r.address())
                    || store.claim(key, r.address(), owner, now.plus(settings.timeReserve()), now);
            if (!claimed) {
                continue;
            }
            StoredRecipient before = known.get(r.address());
            String last = before == null || before.lastAttempt() == null ? "no attempt succeeded"
                    : "last reply: " + before.lastAttempt().code() + " " + before.lastAttempt().text();
            store.recordAttempt(key, r.address(), owner, new Attempt(RecipientStatus.FAILED, true, 554, "5.4.7",
                    "delivery time expired after " + settings.retry().maxAge().toHours() + " hours; " + last, "expiry",
                    null, now));
        }
        store.finishMessage(key, MessageStatus.DONE, now);
        return true;
    }

    /**
     * Turns a delivery outcome into what is stored. A server's 5xx stays open for
     * {@code permanentRetryWindow} after the first one (the seed: "permanent" errors often
     * clear), then becomes final.
     */
    private Attempt attempt(RecipientOutcome outcome, StoredRecipient before, String dkim, Instant now) {
        var reply = outcome.reply();
        StoredRoute route = outcome.route() == null ? null : new StoredRoute(outcome.route().mxHost(),
                outcome.route().address(), outcome.route().port(),
                outcome.route().tls() == null ? null : outcome.route().tls().protocol(),
                outcome.route().tls() == null ? null : outcome.route().tls().cipherSuite());
        RecipientStatus status;
        boolean finalOutcome;
        switch (outcome) {
            case RecipientOutcome.Delivered d -> {
                status = RecipientStatus.DELIVERED;
                finalOutcome = true;
            }
            case RecipientOutcome.Deferred d -> {
                status = RecipientStatus.DEFERRED;
                finalOutcome = false;
            }
            case RecipientOutcome.Failed f -> {
                status = RecipientStatus.FAILED;
                Instant firstFailed = before == null || before.firstFailedAt() == null ? now : before.firstFailedAt();
                boolean windowOver = Duration.between(firstFailed, now).compareTo(settings.retry().permanentRetryWindow()) >= 0;
                finalOutcome = !f.retryable() || windowOver;
            }
        }
        return new Attempt(status, finalOutcome, reply.code(), reply.enhancedCode(), shorten(reply.text()), reply.command(),
                route, dkim, now);
    }

    /**
     * A reply text as stored: servers may send many lines, and ten attempts of them must stay
     * far below DynamoDB's 400 KB item limit.
     */
    static String shorten(String text) {
        return text.length() <= REPLY_CHARS ? text : text.substring(0, REPLY_CHARS - 1) + "…";
    }

    private boolean requeue(SQSEvent.SQSMessage record, String key, Duration delay, String why) {
        queue.changeVisibility(record.getReceiptHandle(), delay);
        observer.requeued(key, delay.toSeconds(), why);
        return false;
    }

    private boolean requeueQuietly(SQSEvent.SQSMessage record, String key, String why) {
        try {
            return requeue(record, key, settings.shortRequeue(), why);
        } catch (RuntimeException e) {
            // Even the visibility change failed: the record returns after the queue's own timeout.
            observer.requeued(key, -1, why + "; visibility unchanged: " + e);
            return false;
        }
    }

    /** Closes the deliverer: QUIT on the SMTP connections it keeps. Idempotent. */
    @Override
    public void close() {
        deliverer.close();
    }
}
