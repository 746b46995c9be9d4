package dev.directmx.store;

import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

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

    static void create(DynamoDbClient client, String table) {
        try {
            client.createTable(b -> b.tableName(table)
                    .attributeDefinitions(
                            a -> a.attributeName(DynamoItems.PK).attributeType(ScalarAttributeType.S),
                            a -> a.attributeName(DynamoItems.SK).attributeType(ScalarAttributeType.S))
                    .keySchema(
                            k -> k.attributeName(DynamoItems.PK).keyType(KeyType.HASH),
                            k -> k.attributeName(DynamoItems.SK).keyType(KeyType.RANGE))
                    .billingMode(BillingMode.PAY_PER_REQUEST));
        } catch (ResourceInUseException exists) {
            // Already created (or being created) by an earlier run: wait for it like a new one.
        }
        awaitActive(client, table);
    }

    private static void awaitActive(DynamoDbClient client, String table) {
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

    private static boolean isActive(DynamoDbClient client, String table) {
        try {
            return client.describeTable(b -> b.tableName(table)).table().tableStatus() == TableStatus.ACTIVE;
        } catch (ResourceNotFoundException notYetVisible) {
            // DescribeTable is eventually consistent right after CreateTable.
            return false;
        }
    }
}
