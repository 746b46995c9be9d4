package dev.directmx.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link OutcomeStore} must do, run against each implementation by a subclass that
 * says how to make a fresh, empty store. The concurrency tests start their threads behind one
 * latch so that the calls really meet.
 */
public abstract class OutcomeStoreContract {

    static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    static final Instant EXPIRES = T0.plus(Duration.ofDays(7));
    static final StoredRoute TLS_ROUTE = new StoredRoute("mx1.example.org", "192.0.2.25", 25, "TLSv1.3",
            "TLS_AES_256_GCM_SHA384");
    private static final int THREADS = 8;

    protected OutcomeStore store;

    /** A new store with nothing in it, used by one test. */
    protected abstract OutcomeStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void openRecordsAPendingMessageWithItsRecipientsInTheGivenOrder() {
        StoredMessage opened = store.open(message("m1", "zed@b.example", "amy@a.example", "mid@c.example"), T0);

        assertThat(opened.key()).isEqualTo("m1");
        assertThat(opened.messageId()).isEqualTo("<m1@example.org>");
        assertThat(opened.sender()).isEqualTo("sender@example.org");
        assertThat(opened.subject()).isEqualTo("Subject m1");
        assertThat(opened.status()).isEqualTo(MessageStatus.PENDING);
        assertThat(opened.attempts()).isZero();
        assertThat(opened.firstSeen()).isEqualTo(T0);
        assertThat(opened.updatedAt()).isEqualTo(T0);
        assertThat(opened.expiresAt()).isEqualTo(EXPIRES);
        assertThat(opened.error()).isNull();
        assertThat(opened.bodyExcerpt()).isNull();
        assertThat(opened.recipients()).extracting(StoredRecipient::address)
                .containsExactly("zed@b.example", "amy@a.example", "mid@c.example");
        assertThat(opened.recipients()).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(RecipientStatus.PENDING);
            assertThat(r.attempts()).isZero();
            assertThat(r.lastAttempt()).isNull();
            assertThat(r.history()).isEmpty();
            assertThat(r.deliveredAt()).isNull();
            assertThat(r.firstFailedAt()).isNull();
            assertThat(r.finalOutcome()).isFalse();
        });
        assertThat(store.find("m1")).contains(opened);
    }

    @Test
    void openingAgainCreatesNothingAndReturnsTheStoredState() {
        store.open(message("m1", "a@example.org", "b@example.org"), T0);
        claimAndRecord("m1", "a@example.org", delivered(T0.plusSeconds(5)));

        NewMessage redelivered = new NewMessage("m1", "<other@example.org>", "other@example.org", "Other",
                List.of("c@example.org", "a@example.org"), EXPIRES.plus(Duration.ofDays(1)));
        StoredMessage again = store.open(redelivered, T0.plusSeconds(60));

        assertThat(again).isEqualTo(store.find("m1").orElseThrow());
        assertThat(again.subject()).isEqualTo("Subject m1");
        assertThat(again.firstSeen()).isEqualTo(T0);
        assertThat(again.expiresAt()).isEqualTo(EXPIRES);
        assertThat(again.recipients()).extracting(StoredRecipient::address)
                .containsExactly("a@example.org", "b@example.org");
        assertThat(again.recipients().get(0).status()).isEqualTo(RecipientStatus.DELIVERED);
    }

    @Test
    void concurrentOpensAllSucceedAndSeeTheSameState() throws Exception {
        NewMessage message = message("m1", "a@example.org", "b@example.org", "c@example.org");

        List<StoredMessage> seen = concurrently(THREADS, i -> store.open(message, T0.plusMillis(i)));

        StoredMessage stored = store.find("m1").orElseThrow();
        assertThat(seen).hasSize(THREADS).allSatisfy(s -> assertThat(s).isEqualTo(stored));
        assertThat(stored.recipients()).hasSize(3);
    }

    @Test
    void openLeasesTheRecipientsItCreatesToTheGivenOwner() {
        Opened opened = store.open(message("m1", "a@example.org", "b@example.org"), new Lease("w1", T0.plusSeconds(60)),
                T0);

        assertThat(opened.leased()).containsExactlyInAnyOrder("a@example.org", "b@example.org");
        assertThat(opened.message()).isEqualTo(store.find("m1").orElseThrow());
        assertThat(store.claim("m1", "a@example.org", "w2", T0.plusSeconds(600), T0.plusSeconds(59)))
                .as("w1 holds it from the open on").isFalse();
        assertThat(store.claim("m1", "b@example.org", "w1", T0.plusSeconds(60), T0.plusSeconds(1))).isTrue();
        assertThat(store.claim("m1", "a@example.org", "w2", T0.plusSeconds(600), T0.plusSeconds(61)))
                .as("the open's lease runs out like a claim's").isTrue();
    }

    @Test
    void openOfAKnownMessageLeasesNothing() {
        store.open(message("m1", "a@example.org"), new Lease("w1", T0.plusSeconds(60)), T0);

        Opened again = store.open(message("m1", "a@example.org"), new Lease("w2", T0.plusSeconds(600)), T0.plusSeconds(1));

        assertThat(again.leased()).isEmpty();
        assertThat(store.claim("m1", "a@example.org", "w2", T0.plusSeconds(600), T0.plusSeconds(1))).isFalse();
    }

    @Test
    void concurrentOpensLeaseEachRecipientToExactlyOneOwner() throws Exception {
        NewMessage message = message("m1", "a@example.org", "b@example.org", "c@example.org");

        List<Opened> seen = concurrently(THREADS,
                i -> store.open(message, new Lease("w" + i, T0.plusSeconds(60)), T0.plusMillis(i)));

        List<String> leased = seen.stream().flatMap(o -> o.leased().stream()).toList();
        assertThat(leased).containsExactlyInAnyOrder("a@example.org", "b@example.org", "c@example.org");
        StoredMessage stored = store.find("m1").orElseThrow();
        assertThat(seen).allSatisfy(o -> assertThat(o.message()).isEqualTo(stored));
    }

    @Test
    void openKeepsOneRecordPerAddressWhenAnAddressIsListedTwice() {
        StoredMessage opened = store.open(message("m1", "a@example.org", "b@example.org", "a@example.org"), T0);

        assertThat(opened.recipients()).extracting(StoredRecipient::address)
                .containsExactly("a@example.org", "b@example.org");
    }

    @Test
    void openKeepsAnEmptySubject() {
        NewMessage message = new NewMessage("m1", "<m1@example.org>", "s@example.org", "",
                List.of("a@example.org"), EXPIRES);

        assertThat(store.open(message, T0).subject()).isEmpty();
    }

    @Test
    void openOfARejectedKeyReturnsTheRejectionAndCreatesNoRecipients() {
        store.reject("m1", "bad JSON", "{\"to\":", T0);

        StoredMessage opened = store.open(message("m1", "a@example.org"), T0.plusSeconds(1));

        assertThat(opened.status()).isEqualTo(MessageStatus.REJECTED);
        assertThat(opened.recipients()).isEmpty();
        assertThat(store.claim("m1", "a@example.org", "w1", T0.plusSeconds(60), T0)).isFalse();
    }

    @Test
    void claimTakesAPendingRecipientAndRefusesAnUnknownOne() {
        store.open(message("m1", "a@example.org"), T0);

        assertThat(store.claim("m1", "a@example.org", "w1", T0.plusSeconds(60), T0)).isTrue();
        assertThat(store.claim("m1", "nobody@example.org", "w1", T0.plusSeconds(60), T0)).isFalse();
        assertThat(store.claim("unknown", "a@example.org", "w1", T0.plusSeconds(60), T0)).isFalse();
    }

    @Test
    void claimRefusesADeliveredRecipient() {
        store.open(message("m1", "a@example.org"), T0);
        claimAndRecord("m1", "a@example.org", delivered(T0.plusSeconds(1)));

        assertThat(store.claim("m1", "a@example.org", "w2", T0.plusSeconds(60), T0.plusSeconds(2))).isFalse();
        assertThat(store.claim("m1", "a@example.org", "w1", T0.plusSeconds(60), T0.plusSeconds(2))).isFalse();
    }

    @Test
    void claimRefusesAFinallyFailedRecipient() {
        store.open(message("m1", "a@example.org"), T0);
        claimAndRecord("m1", "a@example.org", failed(true, 550, T0.plusSeconds(1)));

        assertThat(store.claim("m1", "a@example.org", "w2", T0.plusSeconds(60), T0.plusSeconds(2))).isFalse();
    }

    @Test
    void claimRefusesAnotherOwnersLiveLeaseAndAllowsItAfterExpiry() {
        store.open(message("m1", "a@example.org"), T0);
        Instant leaseEnd = T0.plus(Duration.ofMinutes(5));
        assertThat(store.claim("m1", "a@example.org", "w1", leaseEnd, T0)).isTrue();

        assertThat(store.claim("m1", "a@example.org", "w2", T0.plusSeconds(600), T0.plusSeconds(60))).isFalse();
        assertThat(store.claim("m1", "a@example.org", "w2", T0.plusSeconds(600), leaseEnd)).isFalse();
        assertThat(store.claim("m1", "a@example.org", "w2", T0.plusSeconds(600), leaseEnd.plusMillis(1))).isTrue();
        assertThat(store.claim("m1", "a@example.org", "w1", T0.plusSeconds(900), leaseEnd.plusSeconds(1)))
                .as("the first owner's lease is gone; the second owner's holds").isFalse();
    }

    @Test
    void theLeaseHolderMayClaimAgainToExtendItsLease() {
        store.open(message("m1", "a@example.org"), T0);
        store.claim("m1", "a@example.org", "w1", T0.plusSeconds(60), T0);

        assertThat(store.claim("m1", "a@example.org", "w1", T0.plusSeconds(300), T0.plusSeconds(30))).isTrue();
        assertThat(store.claim("m1", "a@example.org", "w2", T0.plusSeconds(600), T0.plusSeconds(120))).isFalse();
    }

    @Test
    void concurrentClaimsHaveExactlyOneWinner() throws Exception {
        List<String> recipients = IntStream.range(0, 5).mapToObj(i -> "r" + i + "@example.org").toList();
        store.open(new NewMessage("m1", "<m1@example.org>", "s@example.org", "", recipients, EXPIRES), T0);

        for (String recipient : recipients) {
            List<Boolean> results = concurrently(THREADS,
                    i -> store.claim("m1", recipient, "worker-" + i, T0.plusSeconds(60), T0));

            assertThat(results).as("claims of " + recipient).hasSize(THREADS).containsOnlyOnce(true);
        }
    }

    @Test
    void recordAttemptStoresTheOutcomeAndReleasesTheLease() {
        store.open(message("m1", "a@example.org"), T0);
        store.claim("m1", "a@example.org", "w1", T0.plusSeconds(300), T0);
        Attempt deferred = deferred(451, T0.plusSeconds(10));

        assertThat(store.recordAttempt("m1", "a@example.org", "w1", deferred)).isTrue();

        StoredRecipient recipient = recipient("m1", "a@example.org");
        assertThat(recipient.status()).isEqualTo(RecipientStatus.DEFERRED);
        assertThat(recipient.attempts()).isEqualTo(1);
        assertThat(recipient.lastAttempt()).isEqualTo(deferred);
        assertThat(recipient.history()).containsExactly(deferred);
        assertThat(recipient.finalOutcome()).isFalse();
        assertThat(recipient.deliveredAt()).isNull();
        assertThat(store.claim("m1", "a@example.org", "w2", T0.plusSeconds(300), T0.plusSeconds(11)))
                .as("the lease was released").isTrue();
    }

    @Test
    void recordAttemptLeavesAnotherOwnersLeaseAlone() {
        store.open(message("m1", "a@example.org"), T0);
        store.claim("m1", "a@example.org", "w1", T0.plusSeconds(60), T0);
        store.claim("m1", "a@example.org", "w2", T0.plusSeconds(600), T0.plusSeconds(61));

        assertThat(store.recordAttempt("m1", "a@example.org", "w1", deferred(421, T0.plusSeconds(70)))).isTrue();

        assertThat(store.claim("m1", "a@example.org", "w3", T0.plusSeconds(900), T0.plusSeconds(71)))
                .as("w2 is still sending").isFalse();
    }

    @Test
    void recordAttemptFromTheOpenedRecordStoresTheAttemptAndReleasesTheLease() {
        Opened opened = store.open(message("m1", "a@example.org"), new Lease("w1", T0.plusSeconds(60)), T0);

        assertThat(store.recordAttempt("m1", opened.message().recipients().get(0), "w1", deferred(421, T0.plusSeconds(1))))
                .isTrue();

        StoredRecipient r = recipient("m1", "a@example.org");
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(r.status()).isEqualTo(RecipientStatus.DEFERRED);
        assertThat(store.claim("m1", "a@example.org", "w2", T0.plusSeconds(300), T0.plusSeconds(2)))
                .as("the lease was released").isTrue();
    }

    @Test
    void recordAttemptFromAStaleRecordBuildsOnTheCurrentOne() {
        Opened opened = store.open(message("m1", "a@example.org"), new Lease("w1", T0.plusSeconds(60)), T0);
        StoredRecipient stale = opened.message().recipients().get(0);
        store.recordAttempt("m1", stale, "w1", deferred(421, T0.plusSeconds(1)));
        store.claim("m1", "a@example.org", "w2", T0.plusSeconds(60), T0.plusSeconds(2));

        assertThat(store.recordAttempt("m1", stale, "w2", deferred(451, T0.plusSeconds(3)))).isTrue();

        StoredRecipient r = recipient("m1", "a@example.org");
        assertThat(r.attempts()).isEqualTo(2);
        assertThat(r.history()).extracting(Attempt::code).containsExactly(421, 451);
    }

    @Test
    void recordAttemptFromAStaleRecordNeverChangesADeliveredRecipient() {
        Opened opened = store.open(message("m1", "a@example.org"), new Lease("w1", T0.plusSeconds(60)), T0);
        StoredRecipient stale = opened.message().recipients().get(0);
        store.recordAttempt("m1", stale, "w1", delivered(T0.plusSeconds(1)));

        assertThat(store.recordAttempt("m1", stale, "w1", deferred(421, T0.plusSeconds(2)))).isFalse();
        assertThat(store.recordAttempt("m1", stale, "w1", delivered(T0.plusSeconds(3)))).isFalse();

        StoredRecipient r = recipient("m1", "a@example.org");
        assertThat(r.status()).isEqualTo(RecipientStatus.DELIVERED);
        assertThat(r.deliveredAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(r.attempts()).isEqualTo(1);
    }

    @Test
    void recordAttemptFromTheOpenedRecordLeavesAnotherOwnersLeaseAlone() {
        Opened opened = store.open(message("m1", "a@example.org"), new Lease("w1", T0.plusSeconds(60)), T0);
        store.claim("m1", "a@example.org", "w2", T0.plusSeconds(600), T0.plusSeconds(61));

        assertThat(store.recordAttempt("m1", opened.message().recipients().get(0), "w1",
                deferred(421, T0.plusSeconds(70)))).isTrue();

        assertThat(recipient("m1", "a@example.org").attempts()).isEqualTo(1);
        assertThat(store.claim("m1", "a@example.org", "w3", T0.plusSeconds(900), T0.plusSeconds(71)))
                .as("w2 is still sending").isFalse();
    }

    @Test
    void aDeliverySetsDeliveredAtAndIsFinal() {
        store.open(message("m1", "a@example.org"), T0);
        Attempt delivered = delivered(T0.plusSeconds(3));

        claimAndRecord("m1", "a@example.org", delivered);

        StoredRecipient recipient = recipient("m1", "a@example.org");
        assertThat(recipient.status()).isEqualTo(RecipientStatus.DELIVERED);
        assertThat(recipient.deliveredAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(recipient.finalOutcome()).isTrue();
        assertThat(recipient.lastAttempt()).isEqualTo(delivered);
    }

    @Test
    void recordAttemptNeverDowngradesADeliveredRecipient() {
        store.open(message("m1", "a@example.org"), T0);
        claimAndRecord("m1", "a@example.org", delivered(T0.plusSeconds(1)));
        StoredRecipient before = recipient("m1", "a@example.org");

        assertThat(store.recordAttempt("m1", "a@example.org", "w1", deferred(421, T0.plusSeconds(2)))).isFalse();
        assertThat(store.recordAttempt("m1", "a@example.org", "w1", failed(true, 550, T0.plusSeconds(3)))).isFalse();
        assertThat(store.recordAttempt("m1", "a@example.org", "w1", delivered(T0.plusSeconds(4)))).isFalse();

        assertThat(recipient("m1", "a@example.org")).isEqualTo(before);
    }

    @Test
    void aFinalFailureIsNotReopenedByAStaleDeferralButADeliveryIsRecorded() {
        store.open(message("m1", "a@example.org"), T0);
        claimAndRecord("m1", "a@example.org", failed(true, 550, T0.plusSeconds(1)));

        assertThat(store.recordAttempt("m1", "a@example.org", "w0", deferred(421, T0.plusSeconds(2)))).isFalse();
        assertThat(recipient("m1", "a@example.org").finalOutcome()).isTrue();

        assertThat(store.recordAttempt("m1", "a@example.org", "w0", delivered(T0.plusSeconds(3))))
                .as("a delivery that happened is a fact to record").isTrue();
        assertThat(recipient("m1", "a@example.org").status()).isEqualTo(RecipientStatus.DELIVERED);
    }

    @Test
    void historyKeepsTheLastTenAttemptsOldestFirst() {
        store.open(message("m1", "a@example.org"), T0);

        for (int i = 1; i <= 12; i++) {
            claimAndRecord("m1", "a@example.org", deferred(400 + i, T0.plusSeconds(i)));
        }

        StoredRecipient recipient = recipient("m1", "a@example.org");
        assertThat(recipient.attempts()).isEqualTo(12);
        assertThat(recipient.history()).hasSize(StoredRecipient.HISTORY_LIMIT).extracting(Attempt::code)
                .containsExactly(403, 404, 405, 406, 407, 408, 409, 410, 411, 412);
        assertThat(recipient.lastAttempt().code()).isEqualTo(412);
    }

    @Test
    void firstFailedAtIsSetByTheFirstFailureAndKept() {
        store.open(message("m1", "a@example.org"), T0);

        claimAndRecord("m1", "a@example.org", deferred(421, T0.plusSeconds(1)));
        assertThat(recipient("m1", "a@example.org").firstFailedAt()).isNull();

        claimAndRecord("m1", "a@example.org", failed(false, 550, T0.plusSeconds(2)));
        assertThat(recipient("m1", "a@example.org").firstFailedAt()).isEqualTo(T0.plusSeconds(2));

        claimAndRecord("m1", "a@example.org", deferred(421, T0.plusSeconds(3)));
        claimAndRecord("m1", "a@example.org", failed(false, 552, T0.plusSeconds(4)));
        StoredRecipient recipient = recipient("m1", "a@example.org");
        assertThat(recipient.firstFailedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(recipient.status()).isEqualTo(RecipientStatus.FAILED);
        assertThat(recipient.finalOutcome()).isFalse();
    }

    @Test
    void recordAttemptForAnUnknownRecipientReturnsFalseAndCreatesNothing() {
        store.open(message("m1", "a@example.org"), T0);

        assertThat(store.recordAttempt("m1", "nobody@example.org", "w1", delivered(T0))).isFalse();
        assertThat(store.recordAttempt("unknown", "a@example.org", "w1", delivered(T0))).isFalse();

        assertThat(store.find("m1").orElseThrow().recipients()).hasSize(1);
        assertThat(store.find("unknown")).isEmpty();
    }

    @Test
    void concurrentAttemptsOnOneRecipientAreAllCounted() throws Exception {
        store.open(message("m1", "a@example.org"), T0);
        // Writers beyond StoreRules.MAX_WRITE_TRIES could each lose every race; four cannot.
        int writers = 4;

        List<Boolean> results = concurrently(writers,
                i -> store.recordAttempt("m1", "a@example.org", "w" + i, deferred(421, T0.plusSeconds(i))));

        assertThat(results).containsOnly(true);
        StoredRecipient recipient = recipient("m1", "a@example.org");
        assertThat(recipient.attempts()).isEqualTo(writers);
        assertThat(recipient.history()).hasSize(writers);
    }

    @Test
    void anAttemptKeepsItsReplyAndRouteWhateverIsMissing() {
        store.open(message("m1", "a@example.org", "b@example.org"), T0);
        Attempt plaintext = new Attempt(RecipientStatus.DEFERRED, false, 421, null, "4.7.0 try later\nsecond line",
                "RCPT", new StoredRoute("mx2.example.org", "2001:db8::25", 25, null, null), T0.plusSeconds(1));
        Attempt noRoute = new Attempt(RecipientStatus.DEFERRED, false, 451, "4.4.1", "connection timed out",
                null, null, T0.plusSeconds(2));

        claimAndRecord("m1", "a@example.org", plaintext);
        claimAndRecord("m1", "b@example.org", noRoute);

        assertThat(recipient("m1", "a@example.org").lastAttempt()).isEqualTo(plaintext);
        assertThat(recipient("m1", "b@example.org").lastAttempt()).isEqualTo(noRoute);
    }

    @Test
    void finishMessageSetsTheStatusAndCountsAttempts() {
        store.open(message("m1", "a@example.org"), T0);

        store.finishMessage("m1", MessageStatus.PENDING, T0.plusSeconds(10));
        store.finishMessage("m1", MessageStatus.DONE, T0.plusSeconds(20));

        StoredMessage message = store.find("m1").orElseThrow();
        assertThat(message.status()).isEqualTo(MessageStatus.DONE);
        assertThat(message.attempts()).isEqualTo(2);
        assertThat(message.updatedAt()).isEqualTo(T0.plusSeconds(20));
        assertThat(message.firstSeen()).isEqualTo(T0);
        assertThat(message.recipients()).hasSize(1);
    }

    @Test
    void finishMessageOfAnUnknownKeyFailsInsteadOfCreatingARecord() {
        assertThatThrownBy(() -> store.finishMessage("unknown", MessageStatus.DONE, T0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("unknown");
        assertThat(store.find("unknown")).isEmpty();
    }

    @Test
    void rejectIsVisibleInFindAndTheFirstRejectionStays() {
        store.reject("bad-1", "recipient \"x\" is not an address", "{\"to\":[\"x\"]}", T0);
        store.reject("bad-1", "another error", "another body", T0.plusSeconds(30));

        StoredMessage rejected = store.find("bad-1").orElseThrow();
        assertThat(rejected.status()).isEqualTo(MessageStatus.REJECTED);
        assertThat(rejected.error()).isEqualTo("recipient \"x\" is not an address");
        assertThat(rejected.bodyExcerpt()).isEqualTo("{\"to\":[\"x\"]}");
        assertThat(rejected.firstSeen()).isEqualTo(T0);
        assertThat(rejected.updatedAt()).isEqualTo(T0);
        assertThat(rejected.attempts()).isEqualTo(1);
        assertThat(rejected.expiresAt()).isEqualTo(T0.plus(StoreRules.REJECTED_RETENTION));
        assertThat(rejected.recipients()).isEmpty();
        assertThat(rejected.messageId()).isNull();
    }

    @Test
    void rejectKeepsAMessageThatWasAlreadyOpened() {
        StoredMessage opened = store.open(message("m1", "a@example.org"), T0);

        store.reject("m1", "too large", "x", T0.plusSeconds(1));

        assertThat(store.find("m1")).contains(opened);
    }

    @Test
    void findOfAnUnknownKeyIsEmpty() {
        assertThat(store.find("never-seen")).isEmpty();
    }

    // --- helpers ---------------------------------------------------------------------------------

    static NewMessage message(String key, String... recipients) {
        return new NewMessage(key, "<" + key + "@example.org>", "sender@example.org", "Subject " + key,
                List.of(recipients), EXPIRES);
    }

    static Attempt delivered(Instant at) {
        return new Attempt(RecipientStatus.DELIVERED, true, 250, "2.0.0", "Ok: queued as 4F2A1", "DATA", TLS_ROUTE,
                "signed d=example.org s=rsa2026 a=rsa-sha256, d=example.org s=ed2026 a=ed25519-sha256", at);
    }

    static Attempt deferred(int code, Instant at) {
        return new Attempt(RecipientStatus.DEFERRED, false, code, "4.2.0", "try again later", "RCPT", TLS_ROUTE,
                "unsigned: no DKIM key for example.org or a parent domain", at);
    }

    static Attempt failed(boolean finalOutcome, int code, Instant at) {
        return new Attempt(RecipientStatus.FAILED, finalOutcome, code, "5.1.1", "no such user", "RCPT", TLS_ROUTE,
                at);
    }

    /** Claims with a lease that is live at the attempt's time, then records the attempt. */
    void claimAndRecord(String key, String recipient, Attempt attempt) {
        assertThat(store.claim(key, recipient, "w1", attempt.at().plusSeconds(60), attempt.at()))
                .as("claim of " + recipient).isTrue();
        assertThat(store.recordAttempt(key, recipient, "w1", attempt)).as("attempt for " + recipient).isTrue();
    }

    StoredRecipient recipient(String key, String address) {
        return store.find(key).orElseThrow().recipients().stream()
                .filter(r -> r.address().equals(address)).findFirst().orElseThrow();
    }

    /** Runs {@code task} on {@code threads} threads released together, and returns their results in order. */
    static <T> List<T> concurrently(int threads, IndexedTask<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int index = i;
                Callable<T> call = () -> {
                    ready.countDown();
                    go.await();
                    return task.run(index);
                };
                futures.add(pool.submit(call));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).as("all threads ready").isTrue();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One thread's share of a concurrent test. */
    @FunctionalInterface
    interface IndexedTask<T> {
        T run(int index) throws Exception;
    }
}
