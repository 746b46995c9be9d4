import dev.directmx.sandbox.sqs.EmbeddedSqs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * ElasticMQ as a server for the throughput benchmark: starts {@link EmbeddedSqs} (the queue pair
 * directmx expects) and writes its endpoint and queue URLs to a file as shell assignments, then
 * runs until the process is signalled (the harness stops it by its PID).
 *
 * <pre>java -cp target/directmx.jar bench/src/QueueServer.java OUT.env</pre>
 *
 * <p>The file is written to a temporary name and renamed, so its appearance means it is complete.
 */
public final class QueueServer {

    /** As the worker's default batch budget: no record comes back while its batch is still being worked. */
    private static final Duration VISIBILITY = Duration.ofMinutes(5);

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: QueueServer OUT.env");
            System.exit(64);
        }
        EmbeddedSqs sqs = EmbeddedSqs.start(new EmbeddedSqs.Settings(30, VISIBILITY));
        Runtime.getRuntime().addShutdownHook(new Thread(sqs::close, "queue-server-stop"));
        Path out = Path.of(args[0]);
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.writeString(tmp, "SQS_ENDPOINT=" + sqs.endpoint() + "\nQUEUE_URL=" + sqs.queueUrl()
                + "\nDLQ_URL=" + sqs.deadLetterQueueUrl() + "\n");
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("queue-server: " + sqs.endpoint() + " " + sqs.queueUrl());
        Thread.currentThread().join();
    }
}
