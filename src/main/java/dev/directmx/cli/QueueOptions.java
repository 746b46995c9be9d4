package dev.directmx.cli;

import dev.directmx.lambda.DirectmxConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The queue and identity options of the commands that run the batch logic locally; each
 * overrides the environment variable of the same meaning, so the Lambda's configuration and a
 * command line mix freely.
 */
final class QueueOptions {

    @Option(names = "--queue-url", paramLabel = "URL", description = "The queue (default: $DIRECTMX_QUEUE_URL).")
    String queueUrl;

    @Option(names = "--dead-letter-queue-url", paramLabel = "URL",
            description = "Where invalid messages go whole (default: $DIRECTMX_DEAD_LETTER_QUEUE_URL).")
    String deadLetterQueueUrl;

    @Option(names = "--helo", paramLabel = "NAME", description = "Name to greet servers with (default: $DIRECTMX_HELO).")
    String helo;

    @Option(names = "--dns", paramLabel = "HOST:PORT[,...]", description = "DNS servers (default: $DIRECTMX_DNS, else the system's).")
    String dns;

    @Option(names = "--allow-private", description = "Allow loopback and private destinations (default: $DIRECTMX_ALLOW_PRIVATE).")
    boolean allowPrivate;

    /** The environment with the options laid over it, validated. */
    DirectmxConfig config(Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(environment);
        put(env, DirectmxConfig.QUEUE_URL, queueUrl);
        put(env, DirectmxConfig.DEAD_LETTER_QUEUE_URL, deadLetterQueueUrl);
        put(env, DirectmxConfig.HELO, helo);
        put(env, DirectmxConfig.DNS, dns);
        if (allowPrivate) {
            env.put(DirectmxConfig.ALLOW_PRIVATE, "true");
        }
        return DirectmxConfig.from(env, List.of(DirectmxConfig.QUEUE_URL, DirectmxConfig.DEAD_LETTER_QUEUE_URL,
                DirectmxConfig.HELO));
    }

    private static void put(Map<String, String> env, String name, String value) {
        if (value != null) {
            env.put(name, value);
        }
    }
}
