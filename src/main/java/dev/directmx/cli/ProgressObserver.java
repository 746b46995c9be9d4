package dev.directmx.cli;

import dev.directmx.delivery.DeliveryReport;
import dev.directmx.lambda.BatchObserver;
import java.io.PrintWriter;

/** Prints one line per message as a batch is worked: the progress of {@code worker} and {@code invoke}. */
class ProgressObserver implements BatchObserver {

    private final PrintWriter progress;

    ProgressObserver(PrintWriter progress) {
        this.progress = progress;
    }

    @Override
    public void delivered(String key, DeliveryReport report) {
        StringBuilder line = new StringBuilder("  " + key + ":");
        report.recipients().forEach(r -> line.append(' ').append(r.recipient()).append('=').append(r.status()));
        progress.println(line);
    }

    @Override
    public void rejected(String sqsMessageId, String error) {
        progress.println("  record " + sqsMessageId + ": rejected to the dead-letter queue: " + error);
    }

    @Override
    public void requeued(String key, long delaySeconds, String why) {
        progress.println("  " + key + ": back on the queue in " + delaySeconds + " s (" + why + ")");
    }
}
