package dev.directmx.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on an SQLite file in a fresh directory per test, plus what only a file can show. */
class SqliteOutcomeStoreTest extends OutcomeStoreContract {

    @TempDir
    Path dir;

    @Override
    protected OutcomeStore newStore() {
        return SqliteOutcomeStore.open(dir.resolve("outcomes.db"));
    }

    @Test
    void openCreatesParentDirectoriesAndTheStateOutlivesTheStore() {
        Path file = dir.resolve("nested/deeper/outcomes.db");
        try (SqliteOutcomeStore first = SqliteOutcomeStore.open(file)) {
            first.open(message("m1", "a@example.org"), T0);
            first.claim("m1", "a@example.org", "w1", T0.plusSeconds(60), T0);
            first.recordAttempt("m1", "a@example.org", "w1", delivered(T0.plusSeconds(1)));
        }

        try (SqliteOutcomeStore second = SqliteOutcomeStore.open(file)) {
            StoredRecipient recipient = second.find("m1").orElseThrow().recipients().getFirst();
            assertThat(recipient.status()).isEqualTo(RecipientStatus.DELIVERED);
            assertThat(second.claim("m1", "a@example.org", "w2", T0.plusSeconds(600), T0.plusSeconds(2))).isFalse();
        }
    }

    @Test
    void theFileUsesWriteAheadLogging() {
        store.open(message("m1", "a@example.org"), T0);

        assertThat(Files.exists(dir.resolve("outcomes.db-wal"))).as("WAL file beside the database").isTrue();
    }

    @Test
    void twoStoresOnOneFileShareTheClaims() {
        try (SqliteOutcomeStore other = SqliteOutcomeStore.open(dir.resolve("outcomes.db"))) {
            store.open(message("m1", "a@example.org"), T0);

            assertThat(store.claim("m1", "a@example.org", "w1", T0.plusSeconds(60), T0)).isTrue();
            assertThat(other.claim("m1", "a@example.org", "w2", T0.plusSeconds(60), T0)).isFalse();
        }
    }

    @Test
    void anInMemoryStoreKeepsTheContractUntilClosed() {
        try (SqliteOutcomeStore memory = SqliteOutcomeStore.inMemory()) {
            memory.open(message("m1", "a@example.org"), T0);

            assertThat(memory.claim("m1", "a@example.org", "w1", T0.plusSeconds(60), T0)).isTrue();
            assertThat(memory.claim("m1", "a@example.org", "w2", T0.plusSeconds(60), T0)).isFalse();
        }
    }
}
