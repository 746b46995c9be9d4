package dev.directmx.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.directmx.aws.AwsJsonClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.endpoint.AwsClientEndpointProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The DynamoDB calls the outcome store makes ({@code PutItem}, {@code UpdateItem}, {@code
 * GetItem}, {@code Query}, and {@code CreateTable}/{@code DescribeTable} for local runs), spoken
 * in DynamoDB's JSON protocol through {@link AwsJsonClient}. The SDK's generated DynamoDB client
 * loaded about a thousand classes more for the same requests: in a fresh JVM, 822–941 ms to its
 * first {@code PutItem} against 517–576 ms (BENCHMARKS.md, "What each optimisation bought").
 *
 * <p>A failed condition is an answer ({@code false}), not an exception; every other refusal is
 * the SDK's {@link AwsServiceException}, retried first when it is throttling or a 5xx, as the
 * SDK's DynamoDB client does. Thread-safe; one per process. {@link #close} closes the HTTP client,
 * and the credentials chain when {@link #fromEnvironment} built it.
 */
public final class DynamoApi implements SdkAutoCloseable {

    static final AwsJsonClient.Protocol PROTOCOL = new AwsJsonClient.Protocol("dynamodb", "DynamoDb",
            "DynamoDB_20120810", "1.0");

    /**
     * Five attempts, back-off from 25 ms doubling to at most 1 s (jittered): the SDK's DynamoDB
     * client starts from the same 25 ms, because DynamoDB's throttling clears within a second.
     */
    static final AwsJsonClient.Retries RETRIES = new AwsJsonClient.Retries(5, Duration.ofMillis(25),
            Duration.ofSeconds(1));

    /** TCP (and TLS) connect; an endpoint in the same region answers in milliseconds. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** Each read of an answer: DynamoDB answers single-item calls in milliseconds, a 1 MB Query page in well under a second. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private static final String CONDITION_FAILED = "ConditionalCheckFailedException";

    private final AwsJsonClient client;

    /**
     * A client for {@code endpoint}, signing for {@code region} with {@code credentials} (the
     * caller's to close), over {@code http} (closed by {@link #close}).
     */
    public DynamoApi(URI endpoint, Region region, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
            SdkHttpClient http) {
        this(new AwsJsonClient(PROTOCOL, endpoint, region, credentials, http, RETRIES));
    }

    private DynamoApi(AwsJsonClient client) {
        this.client = client;
    }

    /**
     * Configured the standard AWS way, as the SDK's own client would be: credentials from the
     * default chain; region from {@code AWS_REGION}, {@code aws.region}, the profile or instance
     * metadata, else {@code us-east-1}; the endpoint from {@code AWS_ENDPOINT_URL_DYNAMODB}, {@code
     * AWS_ENDPOINT_URL} (or their system properties and profile settings) when set, else the
     * region's DynamoDB endpoint. HTTP goes through the JDK's URL connection.
     */
    public static DynamoApi fromEnvironment() {
        Region region = configuredRegion();
        SdkHttpClient http = UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(READ_TIMEOUT).build();
        return new DynamoApi(AwsJsonClient.withDefaultCredentials(PROTOCOL, endpointFor(region), region, http, RETRIES,
                AwsJsonClient.Bounds.NONE));
    }

    /**
     * Where the SDK's DynamoDB client would send calls, decided by the same SDK code (endpoint
     * variables, system properties, the profile's {@code services} section, else the region's
     * endpoint in the SDK's partition metadata, FIPS or dual-stack when asked for).
     */
    static URI endpointFor(Region region) {
        // AwsClientEndpointProvider is the SDK's protected API, what its generated clients call
        // with these very names; the BOM pins its version.
        return AwsClientEndpointProvider.builder()
                .serviceEndpointOverrideEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB")
                .serviceEndpointOverrideSystemProperty("aws.endpointUrlDynamoDb")
                .serviceProfileProperty("dynamodb")
                .serviceEndpointPrefix("dynamodb")
                .defaultProtocol("https")
                .region(region)
                .build()
                .clientEndpoint();
    }

    /** Where calls go. */
    public URI endpoint() {
        return client.endpoint();
    }

    /** {@code PutItem}; false when {@code condition} (null for none) failed. */
    boolean putItem(String table, Map<String, DynamoValue> item, Expression condition) {
        byte[] body = DynamoJson.request(json -> {
            json.writeStringField("TableName", table);
            DynamoJson.writeItem(json, "Item", item);
            if (condition != null) {
                json.writeStringField("ConditionExpression", condition.text());
                DynamoJson.writeNames(json, condition.names());
                DynamoJson.writeValues(json, condition.values());
            }
        });
        return conditional("PutItem", body);
    }

    /** {@code UpdateItem}; false when the condition failed. */
    boolean updateItem(String table, Map<String, DynamoValue> key, String update, Expression condition) {
        byte[] body = DynamoJson.request(json -> {
            json.writeStringField("TableName", table);
            DynamoJson.writeItem(json, "Key", key);
            json.writeStringField("UpdateExpression", update);
            if (!condition.text().isEmpty()) {
                json.writeStringField("ConditionExpression", condition.text());
            }
            DynamoJson.writeNames(json, condition.names());
            DynamoJson.writeValues(json, condition.values());
        });
        return conditional("UpdateItem", body);
    }

    /** {@code GetItem}, strongly consistent; null when there is no such item. */
    Map<String, DynamoValue> getItem(String table, Map<String, DynamoValue> key) {
        byte[] body = DynamoJson.request(json -> {
            json.writeStringField("TableName", table);
            DynamoJson.writeItem(json, "Key", key);
            json.writeBooleanField("ConsistentRead", true);
        });
        Page page = page(client.call("GetItem", body));
        return page.item();
    }

    /** {@code Query}, strongly consistent, every page. */
    List<Map<String, DynamoValue>> query(String table, Expression keyCondition) {
        List<Map<String, DynamoValue>> items = new ArrayList<>();
        Map<String, DynamoValue> start = null;
        do {
            Map<String, DynamoValue> from = start;
            byte[] body = DynamoJson.request(json -> {
                json.writeStringField("TableName", table);
                json.writeBooleanField("ConsistentRead", true);
                json.writeStringField("KeyConditionExpression", keyCondition.text());
                DynamoJson.writeNames(json, keyCondition.names());
                DynamoJson.writeValues(json, keyCondition.values());
                if (from != null) {
                    DynamoJson.writeItem(json, "ExclusiveStartKey", from);
                }
            });
            Page page = page(client.call("Query", body));
            items.addAll(page.items());
            start = page.lastEvaluatedKey();
        } while (start != null);
        return items;
    }

    /**
     * {@code CreateTable} with a string partition key and sort key, on-demand capacity; false when
     * the table already exists.
     */
    boolean createTable(String table, String partitionKey, String sortKey) {
        byte[] body = DynamoJson.request(json -> {
            json.writeStringField("TableName", table);
            json.writeArrayFieldStart("AttributeDefinitions");
            for (String attribute : List.of(partitionKey, sortKey)) {
                json.writeStartObject();
                json.writeStringField("AttributeName", attribute);
                json.writeStringField("AttributeType", "S");
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("KeySchema");
            json.writeStartObject();
            json.writeStringField("AttributeName", partitionKey);
            json.writeStringField("KeyType", "HASH");
            json.writeEndObject();
            json.writeStartObject();
            json.writeStringField("AttributeName", sortKey);
            json.writeStringField("KeyType", "RANGE");
            json.writeEndObject();
            json.writeEndArray();
            json.writeStringField("BillingMode", "PAY_PER_REQUEST");
        });
        try {
            client.call("CreateTable", body);
            return true;
        } catch (AwsServiceException e) {
            if ("ResourceInUseException".equals(e.awsErrorDetails().errorCode())) {
                return false;
            }
            throw e;
        }
    }

    /** {@code DescribeTable}'s {@code TableStatus} ({@code ACTIVE}, {@code CREATING}, ...); null when there is no such table. */
    String tableStatus(String table) {
        byte[] body = DynamoJson.request(json -> json.writeStringField("TableName", table));
        try {
            return page(client.call("DescribeTable", body)).tableStatus();
        } catch (AwsServiceException e) {
            if ("ResourceNotFoundException".equals(e.awsErrorDetails().errorCode())) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        client.close();
    }

    private boolean conditional(String operation, byte[] body) {
        try {
            client.call(operation, body);
            return true;
        } catch (AwsServiceException e) {
            if (CONDITION_FAILED.equals(e.awsErrorDetails().errorCode())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * An expression and the placeholders it uses. DynamoDB refuses placeholders an expression
     * does not use, so each expression carries exactly its own.
     */
    record Expression(String text, Map<String, String> names, Map<String, DynamoValue> values) {
        Expression {
            names = Map.copyOf(names);
            values = Map.copyOf(values);
        }
    }

    /** The parts of an answer the store reads. */
    private record Page(Map<String, DynamoValue> item, List<Map<String, DynamoValue>> items,
            Map<String, DynamoValue> lastEvaluatedKey, String tableStatus) {
    }

    private static Page page(byte[] answer) {
        Map<String, DynamoValue> item = null;
        List<Map<String, DynamoValue>> items = List.of();
        Map<String, DynamoValue> last = null;
        String status = null;
        try (JsonParser json = DynamoJson.FACTORY.createParser(answer)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw SdkClientException.create("DynamoDB's answer is not a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "Item" -> item = DynamoJson.readItem(json);
                    case "Items" -> items = DynamoJson.readItems(json);
                    case "LastEvaluatedKey" -> last = DynamoJson.readItem(json);
                    case "Table" -> status = tableStatus(json);
                    default -> json.skipChildren();
                }
            }
        } catch (IOException e) {
            throw SdkClientException.create("DynamoDB's answer is not valid JSON: " + e.getMessage(), e);
        }
        return new Page(item, items, last, status);
    }

    private static String tableStatus(JsonParser json) throws IOException {
        String status = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            json.nextToken();
            if (field.equals("TableStatus")) {
                status = json.getText();
            } else {
                json.skipChildren();
            }
        }
        return status;
    }

    private static Region configuredRegion() {
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkClientException none) {
            // A laptop pointed at dynalite often has no AWS configuration at all.
            return Region.US_EAST_1;
        }
    }
}
