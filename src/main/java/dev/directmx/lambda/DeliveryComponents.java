package dev.directmx.lambda;

import dev.directmx.delivery.Deliverer;
import dev.directmx.dns.DestinationResolver;
import dev.directmx.dns.DnsServers;
import dev.directmx.message.MessageComposer;
import dev.directmx.message.MessageLimits;
import dev.directmx.smtp.SmtpClient;
import dev.directmx.store.OutcomeStore;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * Builds the batch logic from a configuration and the two adapters that differ between Lambda,
 * the worker and the demo: the outcome store and the queue.
 */
public final class DeliveryComponents {

    private DeliveryComponents() {
    }

    public static BatchProcessor processor(DirectmxConfig config, OutcomeStore store, QueueActions queue,
            BatchObserver observer) {
        if (config.helo() == null) {
            throw new IllegalArgumentException("directmx configuration: " + DirectmxConfig.HELO
                    + " is not set: give the fully qualified name to greet servers with (EHLO)");
        }
        DestinationResolver dns = new DestinationResolver(
                DnsServers.resolver(config.dns().orElse(null), config.delivery().dnsTimeout()), new SecureRandom());
        Deliverer deliverer = new Deliverer(dns, new SmtpClient(SmtpClient.Settings.defaults(config.helo())),
                config.delivery(), Clock.systemUTC());
        return new BatchProcessor(new MessageComposer(Clock.systemUTC(), MessageLimits.defaults()), deliverer, store, queue,
                BatchSettings.from(config), Clock.systemUTC(), new SecureRandom(), observer);
    }
}
