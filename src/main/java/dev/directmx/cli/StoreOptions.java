package dev.directmx.cli;

import dev.directmx.lambda.DirectmxConfig;
import dev.directmx.store.DynamoOutcomeStore;
import dev.directmx.store.OutcomeStore;
import dev.directmx.store.SqliteOutcomeStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which outcome store a command uses: DynamoDB (as in AWS) or the embedded SQLite file. */
final class StoreOptions {

    /** The environment variable naming the embedded store's file, for local runs. */
    static final String STORE_FILE = "DIRECTMX_STORE_FILE";

    @Option(names = "--table", paramLabel = "NAME",
            description = "DynamoDB table (default: $DIRECTMX_TABLE); the endpoint comes from AWS_ENDPOINT_URL_DYNAMODB.")
    String table;

    @Option(names = "--store-file", paramLabel = "FILE",
            description = "Embedded SQLite store instead of DynamoDB (default: $DIRECTMX_STORE_FILE).")
    Path storeFile;

    /** Opens the store the options (or the environment) name. */
    OutcomeStore open() {
        Path file = storeFile != null ? storeFile : envPath(STORE_FILE);
        if (file != null) {
            return SqliteOutcomeStore.open(file);
        }
        String name = table != null ? table : System.getenv(DirectmxConfig.TABLE);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("no outcome store: give --table NAME (or set " + DirectmxConfig.TABLE
                    + ") for DynamoDB, or --store-file FILE (or " + STORE_FILE + ") for the embedded store");
        }
        return DynamoOutcomeStore.fromEnvironment(name);
    }

    private static Path envPath(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : Path.of(value);
    }
}
