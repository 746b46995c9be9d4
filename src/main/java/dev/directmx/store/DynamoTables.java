package dev.directmx.store;

import java.time.Duration;
import java.time.Instant;

/**
 * Creates the outcome table for local runs and tests (see {@link DynamoOutcomeStore#createTable}).
 * A plain polling loop rather than the SDK waiter: the waiter's {@code TableExists} delay is 20
 * seconds, far too slow for a table dynalite makes active at once.
 */
final class DynamoTables {

    /** How long a new table may take to become active; AWS usually needs seconds, dynalite none. */
    static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(2);

    /** The pause between two {@code DescribeTable} calls while waiting. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private DynamoTables() {
    }

    static void create(DynamoApi client, String table) {
        // A table that exists already (or is being created by an earlier run) is waited for like a new one.
        client.createTable(table, DynamoItems.PK, DynamoItems.SK);
        awaitActive(client, table);
    }

    private static void awaitActive(DynamoApi client, String table) {
        Instant deadline = Instant.now().plus(ACTIVE_TIMEOUT);
        while (!isActive(client, table)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("table " + table + " is not active after " + ACTIVE_TIMEOUT);
            }
            try {
                Thread.sleep(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for table " + table, e);
            }
        }
    }

    private static boolean isActive(DynamoApi client, String table) {
        // DescribeTable is eventually consistent right after CreateTable: no table yet is "not active".
        return "ACTIVE".equals(client.tableStatus(table));
    }
}
