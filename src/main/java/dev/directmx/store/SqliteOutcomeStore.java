package dev.directmx.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The outcome store in an SQLite file, for {@code worker} and {@code demo} on one machine. The
 * same rules as {@link DynamoOutcomeStore}: every decision is an {@code UPDATE ... WHERE} whose
 * update count says whether it held, so two processes sharing the file stay as safe as two
 * Lambda containers sharing a table.
 *
 * <p>Lifecycle: open once per process and share it; {@link #close} closes the connection. It
 * holds one connection and its methods are synchronized: SQLite takes one writer at a time
 * anyway, and an in-memory database exists only inside its one connection. The file uses WAL
 * journaling so readers do not block the writer, and waits up to {@value #BUSY_TIMEOUT_MS} ms for
 * another process's write lock. There is no TTL: {@code expires_at} is stored but nothing
 * deletes expired rows. SQL errors are thrown as {@link IllegalStateException}.
 */
public final class SqliteOutcomeStore implements OutcomeStore {

    /** How long a write waits for another process's lock before failing: 5 seconds. */
    static final int BUSY_TIMEOUT_MS = 5_000;

    private static final String SCHEMA_MESSAGES = """
            CREATE TABLE IF NOT EXISTS messages (
                key TEXT PRIMARY KEY, message_id TEXT, sender TEXT, subject TEXT,
                status TEXT NOT NULL, attempts INTEGER NOT NULL,
                first_seen TEXT NOT NULL, updated_at TEXT NOT NULL, expires_at INTEGER NOT NULL,
                error TEXT, body_excerpt TEXT)""";
    private static final String SCHEMA_RECIPIENTS = """
            CREATE TABLE IF NOT EXISTS recipients (
                key TEXT NOT NULL, address TEXT NOT NULL, position INTEGER NOT NULL,
                status TEXT NOT NULL, attempts INTEGER NOT NULL, final_outcome INTEGER NOT NULL,
                last_attempt TEXT, history TEXT NOT NULL, delivered_at TEXT, first_failed_at TEXT,
                lease_owner TEXT, lease_until INTEGER, expires_at INTEGER NOT NULL,
                PRIMARY KEY (key, address))""";

    private final Connection connection;

    private SqliteOutcomeStore(Connection connection) {
        this.connection = connection;
    }

    /** Opens (creating it, its parent directories and the schema as needed) the store in {@code file}. */
    public static SqliteOutcomeStore open(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory for " + file, e);
        }
        return connect("jdbc:sqlite:" + file.toAbsolutePath());
    }

    /** A store that lives in memory until {@link #close}: for tests and one-shot runs. */
    public static SqliteOutcomeStore inMemory() {
        return connect("jdbc:sqlite::memory:");
    }

    private static SqliteOutcomeStore connect(String url) {
        try {
            Connection connection = DriverManager.getConnection(url);
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MS);
                statement.execute("PRAGMA journal_mode = WAL");
                // Safe with WAL: a power cut can lose the last commits but never corrupt the file.
                statement.execute("PRAGMA synchronous = NORMAL");
                statement.execute(SCHEMA_MESSAGES);
                statement.execute(SCHEMA_RECIPIENTS);
            }
            return new SqliteOutcomeStore(connection);
        } catch (SQLException e) {
            throw failure("cannot open " + url, e);
        }
    }

    @Override
    public synchronized Opened open(NewMessage message, Lease lease, Instant now) {
        try {
            Set<String> created = Set.of();
            connection.setAutoCommit(false);
            try {
                // The message row and its recipients go in together: a later open sees all or none.
                if (insertMessage(message, now)) {
                    created = insertRecipients(message, lease);
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            return new Opened(find(message.key()).orElseThrow(), lease == null ? Set.of() : created);
        } catch (SQLException e) {
            throw failure("cannot open message " + message.key(), e);
        }
    }

    @Override
    public synchronized boolean claim(String key, String recipient, String owner, Instant leaseUntil, Instant now) {
        return update("""
                UPDATE recipients SET lease_owner = ?, lease_until = ?
                WHERE key = ? AND address = ? AND status <> 'delivered' AND final_outcome = 0
                  AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)""",
                owner, leaseUntil.toEpochMilli(), key, recipient, owner, now.toEpochMilli()) == 1;
    }

    /**
     * Reads, decides with {@link StoreRules} and writes on condition that {@code attempts} is
     * unchanged, retrying a lost race (another process) at most {@code StoreRules.MAX_WRITE_TRIES}
     * times. Only {@code owner}'s own lease is released.
     */
    @Override
    public synchronized boolean recordAttempt(String key, String recipient, String owner, Attempt attempt) {
        for (int tries = 0; tries < StoreRules.MAX_WRITE_TRIES; tries++) {
            Optional<StoredRecipient> current = recipient(key, recipient);
            if (current.isEmpty() || !StoreRules.mayRecord(current.get(), attempt)) {
                return false;
            }
            StoredRecipient next = StoreRules.afterAttempt(current.get(), attempt);
            int updated = update("""
                    UPDATE recipients SET status = ?, attempts = ?, final_outcome = ?, last_attempt = ?, history = ?,
                        delivered_at = ?, first_failed_at = ?,
                        lease_until = CASE WHEN lease_owner = ? THEN NULL ELSE lease_until END,
                        lease_owner = CASE WHEN lease_owner = ? THEN NULL ELSE lease_owner END
                    WHERE key = ? AND address = ? AND attempts = ? AND status <> 'delivered'""",
                    next.status().wire(), next.attempts(), next.finalOutcome() ? 1 : 0,
                    AttemptJson.write(next.lastAttempt()), AttemptJson.writeAll(next.history()),
                    text(next.deliveredAt()), text(next.firstFailedAt()), owner, owner,
                    key, recipient, current.get().attempts());
            if (updated == 1) {
                return true;
            }
        }
        throw new IllegalStateException("the attempt for " + recipient + " of " + key + " lost "
                + StoreRules.MAX_WRITE_TRIES + " write races in a row");
    }

    @Override
    public synchronized void finishMessage(String key, MessageStatus status, Instant now) {
        int updated = update("UPDATE messages SET status = ?, updated_at = ?, attempts = attempts + 1 WHERE key = ?",
                wire(status), now.toString(), key);
        if (updated != 1) {
            throw new IllegalStateException("no message is stored under " + key);
        }
    }

    @Override
    public synchronized void reject(String key, String error, String bodyExcerpt, Instant now) {
        // OR IGNORE keeps the first record; attempts is 1 because refusing the body was its one processing.
        update("""
                INSERT OR IGNORE INTO messages (key, status, attempts, first_seen, updated_at, expires_at, error,
                    body_excerpt)
                VALUES (?, ?, 1, ?, ?, ?, ?, ?)""",
                key, wire(MessageStatus.REJECTED), now.toString(), now.toString(),
                now.plus(StoreRules.REJECTED_RETENTION).getEpochSecond(), error, bodyExcerpt);
    }

    @Override
    public synchronized Optional<StoredMessage> find(String key) {
        try (PreparedStatement select = prepare("SELECT * FROM messages WHERE key = ?", key);
                ResultSet row = select.executeQuery()) {
            if (!row.next()) {
                return Optional.empty();
            }
            return Optional.of(new StoredMessage(key, row.getString("message_id"), row.getString("sender"),
                    row.getString("subject"), MessageStatus.valueOf(row.getString("status").toUpperCase(Locale.ROOT)),
                    row.getInt("attempts"), instant(row.getString("first_seen")),
                    instant(row.getString("updated_at")), Instant.ofEpochSecond(row.getLong("expires_at")),
                    row.getString("error"), row.getString("body_excerpt"), recipients(key)));
        } catch (SQLException e) {
            throw failure("cannot read message " + key, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw failure("cannot close the store", e);
        }
    }

    private boolean insertMessage(NewMessage message, Instant now) throws SQLException {
        try (PreparedStatement insert = prepare("""
                INSERT OR IGNORE INTO messages (key, message_id, sender, subject, status, attempts, first_seen,
                    updated_at, expires_at)
                VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)""",
                message.key(), message.messageId(), message.sender(), message.subject(),
                wire(MessageStatus.PENDING), now.toString(), now.toString(), message.expiresAt().getEpochSecond())) {
            return insert.executeUpdate() == 1;
        }
    }

    /** Inserts the recipients that have no row yet, held by {@code lease} when not null; returns those inserted. */
    private Set<String> insertRecipients(NewMessage message, Lease lease) throws SQLException {
        List<String> recipients = StoreRules.distinct(message.recipients());
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT OR IGNORE INTO recipients (key, address, position, status, attempts, final_outcome, history,
                    lease_owner, lease_until, expires_at)
                VALUES (?, ?, ?, 'pending', 0, 0, '[]', ?, ?, ?)""")) {
            for (int i = 0; i < recipients.size(); i++) {
                bind(insert, message.key(), recipients.get(i), i, lease == null ? null : lease.owner(),
                        lease == null ? null : lease.until().toEpochMilli(), message.expiresAt().getEpochSecond());
                insert.addBatch();
            }
            int[] inserted = insert.executeBatch();
            Set<String> created = new HashSet<>();
            for (int i = 0; i < recipients.size(); i++) {
                if (inserted[i] == 1) {
                    created.add(recipients.get(i));
                }
            }
            return created;
        }
    }

    private List<StoredRecipient> recipients(String key) throws SQLException {
        List<StoredRecipient> recipients = new ArrayList<>();
        try (PreparedStatement select = prepare("SELECT * FROM recipients WHERE key = ? ORDER BY position", key);
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                recipients.add(recipient(rows));
            }
        }
        return recipients;
    }

    private Optional<StoredRecipient> recipient(String key, String address) {
        try (PreparedStatement select = prepare("SELECT * FROM recipients WHERE key = ? AND address = ?",
                key, address); ResultSet row = select.executeQuery()) {
            return row.next() ? Optional.of(recipient(row)) : Optional.empty();
        } catch (SQLException e) {
            throw failure("cannot read recipient " + address + " of " + key, e);
        }
    }

    private static StoredRecipient recipient(ResultSet row) throws SQLException {
        return new StoredRecipient(row.getString("address"),
                RecipientStatus.valueOf(row.getString("status").toUpperCase(Locale.ROOT)), row.getInt("attempts"),
                AttemptJson.read(row.getString("last_attempt")), AttemptJson.readAll(row.getString("history")),
                instant(row.getString("delivered_at")), instant(row.getString("first_failed_at")),
                row.getInt("final_outcome") == 1);
    }

    private int update(String sql, Object... parameters) {
        try (PreparedStatement statement = prepare(sql, parameters)) {
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw failure("cannot write to the store", e);
        }
    }

    private PreparedStatement prepare(String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            bind(statement, parameters);
            return statement;
        } catch (SQLException e) {
            statement.close();
            throw e;
        }
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
    }

    private static String wire(MessageStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }

    private static IllegalStateException failure(String what, SQLException e) {
        return new IllegalStateException(what + ": " + e.getMessage(), e);
    }
}
