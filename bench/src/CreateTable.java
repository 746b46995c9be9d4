import dev.directmx.store.DynamoApi;
import dev.directmx.store.DynamoOutcomeStore;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * Creates directmx's outcome table on a DynamoDB endpoint (dynalite in the benchmark), exactly as
 * the tests do, with dummy credentials.
 *
 * <pre>java -cp target/directmx.jar bench/src/CreateTable.java http://127.0.0.1:8000 TABLE</pre>
 */
public final class CreateTable {

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: CreateTable ENDPOINT TABLE");
            System.exit(64);
        }
        try (DynamoApi client = new DynamoApi(URI.create(args[0]), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")),
                UrlConnectionHttpClient.create())) {
            DynamoOutcomeStore.createTable(client, args[1]);
        }
        System.out.println("create-table: " + args[1] + " at " + args[0]);
    }
}
