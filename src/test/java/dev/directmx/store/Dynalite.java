package dev.directmx.store;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A dynalite server for tests: DynamoDB's API implemented on Node, in memory, listening on a free
 * loopback port. Register it once per test class and give each test its own table:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final Dynalite DYNALITE = new Dynalite();
 * }</pre>
 *
 * <p>Lifecycle: the server starts before the class's first test and stops after its last one,
 * by its process id: {@link Process#destroy()}, then {@link Process#destroyForcibly()} if it has
 * not exited after {@link #STOP_TIMEOUT}. A JVM shutdown hook does the same if the tests never
 * reach the end, so no {@code node} process outlives the build. It can also be driven by hand
 * with {@link #start()} and {@link #close()}.
 *
 * <p>dynalite comes from {@code infra/package.json} (pinned, with a lock file). When it is not
 * installed the tests fail rather than skip: a store suite that silently skips proves nothing.
 */
public final class Dynalite implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    /** How long the server may take to accept connections: Node starts in well under a second. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    /** How long a stopped server may take to exit before it is killed. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    /** Ports tried when another process takes the free port between choosing it and binding it. */
    private static final int PORT_TRIES = 3;

    private static final Path CLI = Path.of("infra", "node_modules", "dynalite", "cli.js");
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    /** dynalite checks that requests are signed, not by whom. */
    public static final StaticCredentialsProvider DUMMY_CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("dummy", "dummy"));

    private Process process;
    private Thread shutdownHook;
    private Path log;
    private int port;
    private DynamoDbClient client;
    private DynamoApi api;

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Starts the server and waits until it accepts connections; fails the test if it cannot. */
    public synchronized void start() {
        if (process != null) {
            return;
        }
        Path cli = findCli();
        for (int tries = 1; tries <= PORT_TRIES; tries++) {
            port = freePort();
            launch(cli);
            if (awaitListening()) {
                client = newClient();
                api = new DynamoApi(URI.create(endpoint()), Region.US_EAST_1, DUMMY_CREDENTIALS,
                        UrlConnectionHttpClient.create());
                return;
            }
            String output = output();
            stop();
            if (!output.contains("EADDRINUSE")) {
                fail("dynalite did not start on port " + port + " within " + START_TIMEOUT + ":\n" + output);
            }
        }
        fail("dynalite found no free port in " + PORT_TRIES + " tries");
    }

    /** The server's address, for {@code endpointOverride} or {@code AWS_ENDPOINT_URL_DYNAMODB}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** A client for this server with dummy credentials; shared, closed by {@link #close()}. */
    public DynamoDbClient client() {
        if (client == null) {
            throw new IllegalStateException("dynalite is not started");
        }
        return client;
    }

    /** directmx's own client for this server with dummy credentials; shared, closed by {@link #close()}. */
    public DynamoApi api() {
        if (api == null) {
            throw new IllegalStateException("dynalite is not started");
        }
        return api;
    }

    /**
     * A new client for this server that adds the operation of every request it sends (retries
     * included) to {@code operations}; the caller closes it.
     */
    public DynamoApi countingApi(List<String> operations) {
        SdkHttpClient http = UrlConnectionHttpClient.create();
        SdkHttpClient counting = new SdkHttpClient() {
            @Override
            public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
                String target = request.httpRequest().firstMatchingHeader("X-Amz-Target").orElseThrow();
                operations.add(target.substring(target.indexOf('.') + 1));
                return http.prepareRequest(request);
            }

            @Override
            public void close() {
                http.close();
            }
        };
        return new DynamoApi(URI.create(endpoint()), Region.US_EAST_1, DUMMY_CREDENTIALS, counting);
    }

    /** The server process's id. */
    public long pid() {
        return process.pid();
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        if (api != null) {
            api.close();
            api = null;
        }
        stop();
    }

    private void launch(Path cli) {
        try {
            log = Files.createTempFile("dynalite-", ".log");
            // Tables become active at once (dynalite's default keeps them CREATING for 500 ms).
            List<String> command = List.of("node", cli.toString(), "--host", "127.0.0.1", "--port",
                    Integer.toString(port), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0");
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            fail("cannot run `node` (dynalite needs Node 20 or newer on the PATH): " + e.getMessage(), e);
        }
        Process started = process;
        shutdownHook = new Thread(() -> destroy(started), "dynalite-" + started.pid() + "-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private boolean awaitListening() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return true;
            } catch (IOException notYet) {
                pause();
            }
        }
        return false;
    }

    private void stop() {
        if (process == null) {
            return;
        }
        destroy(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: it stops the same process.
        }
        process = null;
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // A leftover log in the temporary directory harms nothing.
        }
    }

    private static void destroy(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private DynamoDbClient newClient() {
        return DynamoDbClient.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(DUMMY_CREDENTIALS)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    private String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** {@code infra/node_modules/dynalite/cli.js} in the working directory or the nearest parent that has one. */
    private static Path findCli() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(CLI))) {
                return dir.resolve(CLI);
            }
        }
        return fail("dynalite is not installed: run `npm ci --prefix infra` (looked for " + CLI + " from "
                + Path.of("").toAbsolutePath() + " upwards)");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_INTERVAL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for dynalite", e);
        }
    }
}
