import dev.directmx.sandbox.sqs.EmbeddedSqs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ElasticMQ in its own process for the benchmarks (needs target/directmx.jar on the class
 * path). Prints one line "sqs ENDPOINT QUEUE_URL DEAD_LETTER_QUEUE_URL" once ready. With
 * "--enqueue FILE --count K" it first sends K copies of FILE, with "@N@" in it replaced by
 * 1..K, and prints "enqueued K". Stops when its standard input closes (or when killed).
 *
 * <pre>java -cp target/directmx.jar bench/src/SqsHelper.java [--enqueue body.json --count 20]</pre>
 */
public final class SqsHelper {
    public static void main(String[] args) throws Exception {
        String file = null;
        int count = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--enqueue" -> file = args[++i];
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--help" -> {
                    System.out.println("usage: SqsHelper [--enqueue FILE --count K]");
                    return;
                }
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        try (EmbeddedSqs sqs = EmbeddedSqs.start()) {
            System.out.println("sqs " + sqs.endpoint() + " " + sqs.queueUrl() + " " + sqs.deadLetterQueueUrl());
            if (file != null) {
                String body = Files.readString(Path.of(file));
                for (int n = 1; n <= count; n++) {
                    String text = body.replace("@N@", Integer.toString(n));
                    sqs.client().sendMessage(b -> b.queueUrl(sqs.queueUrl()).messageBody(text));
                }
                System.out.println("enqueued " + count);
            }
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            while (in.readLine() != null) {
                // Wait for the parent to close our input.
            }
        }
    }
}
