package dev.directmx.cli;

import java.util.HashMap;
import java.util.Map;

import dev.directmx.delivery.Durations;
import dev.directmx.lambda.BatchProcessor;
import dev.directmx.lambda.BatchSettings;
import dev.directmx.lambda.DeliveryComponents;
import dev.directmx.lambda.DirectmxConfig;
import dev.directmx.lambda.SqsQueueActions;
import dev.directmx.lambda.SqsWorker;
import dev.directmx.store.OutcomeStore;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code directmx worker}: long-polls the queue and runs the Lambda's batch logic on each batch,
 * with the same visibility and failure semantics, for machines where port 25 is open.
 */
@Command(name = "worker",
        mixinStandardHelpOptions = true,
        description = {
            "Long-polls an SQS queue and delivers its messages with the same batch logic as the Lambda function:",
            "finished messages are deleted, deferred ones come back after their visibility delay. For EC2, ECS or",
            "on-premises hosts where outbound port 25 is open. Stops on Ctrl-C (after the batches in hand).",
            "Configuration: the DIRECTMX_* variables of the function (see README); options override them."},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.SOFTWARE)
public final class WorkerCommand implements Callable<Integer> {

    @Option(names = "--until-empty", description = "Stop once the queue is empty instead of polling forever.")
    boolean untilEmpty;

    @Option(names = "--batch-budget", paramLabel = "DURATION", defaultValue = "5m",
            description = "Time each batch may take, like a Lambda timeout (default: ${DEFAULT-VALUE}; at most 15m).")
    String batchBudget;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "20s",
            description = "Long-poll wait of each receive (default: ${DEFAULT-VALUE}).")
    String wait;

    @Option(names = "--pollers", paramLabel = "N", defaultValue = "" + SqsWorker.Settings.DEFAULT_POLLERS,
            description = "Batches worked at once, each by its own poller, as Lambda runs concurrent invocations"
                    + " (default: ${DEFAULT-VALUE}, where Lambda starts; 1.." + SqsWorker.Settings.MAX_POLLERS + ").")
    int pollers;

    @Mixin
    QueueOptions queueOptions;

    @Mixin
    StoreOptions storeOptions;

    @Mixin
    DkimOptions dkimOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        DirectmxConfig config;
        SqsWorker.Settings settings;
        try {
            Map<String, String> env = new HashMap<>(System.getenv());
            dkimOptions.overlay(env);
            config = queueOptions.config(env);
            if (pollers < 1 || pollers > SqsWorker.Settings.MAX_POLLERS) {
                throw new IllegalArgumentException("--pollers must be 1.." + SqsWorker.Settings.MAX_POLLERS + ", not "
                        + pollers);
            }
            settings = new SqsWorker.Settings(Durations.parse("--wait", wait), 10,
                    Durations.parse("--batch-budget", batchBudget), pollers);
            Duration least = config.timeReserve().plus(BatchSettings.MINIMUM_WORK);
            if (settings.batchBudget().compareTo(least) <= 0) {
                throw new IllegalArgumentException("--batch-budget " + batchBudget + " leaves no time to deliver: it must exceed "
                        + DirectmxConfig.TIME_RESERVE + " (" + config.timeReserve().toSeconds() + " s) plus "
                        + BatchSettings.MINIMUM_WORK.toSeconds() + " s");
            }
        } catch (IllegalArgumentException e) {
            err.println("directmx worker: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        try (OutcomeStore store = storeOptions.open(); SqsClient sqs = SqsQueueActions.client();
                BatchProcessor processor = DeliveryComponents.processor(config, store,
                        new SqsQueueActions(sqs, config.queueUrl(), config.deadLetterQueueUrl()), ProgressObserver.limited(err))) {
            SqsWorker worker = new SqsWorker(sqs, config.queueUrl(), processor::process, settings, err, Clock.systemUTC());
            err.println("worker: polling " + config.queueUrl() + " with " + pollers + " poller(s)"
                    + (untilEmpty ? " until it is empty" : "; Ctrl-C stops"));
            SqsWorker.Totals totals = untilEmpty ? worker.runUntilEmpty() : runUntilStopped(worker);
            err.println("worker: " + totals.done() + " done, " + totals.retried() + " to retry, in " + totals.batches()
                    + " batches");
            return ExitCodes.OK;
        } catch (IllegalArgumentException e) {
            err.println("directmx worker: " + e.getMessage());
            return ExitCodes.USAGE;
        }
    }

    /** Polls until the JVM is asked to stop; the batches in hand finish first. */
    private static SqsWorker.Totals runUntilStopped(SqsWorker worker) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        // A latch, not a join: the hook runs while System.exit holds the main thread.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                done.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "directmx-worker-stop"));
        try {
            return worker.run(stop);
        } finally {
            done.countDown();
        }
    }
}
