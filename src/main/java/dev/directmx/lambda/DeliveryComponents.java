package dev.directmx.lambda;

import dev.directmx.delivery.Deliverer;
import dev.directmx.dkim.DkimSigner;
import dev.directmx.dkim.KeyMaterial;
import dev.directmx.dkim.KeySource;
import dev.directmx.dkim.KeyUnavailableException;
import dev.directmx.dkim.Keyring;
import dev.directmx.dkim.LocalKeyMaterial;
import dev.directmx.dkim.MessageSigning;
import dev.directmx.dns.DestinationResolver;
import dev.directmx.dns.DnsServers;
import dev.directmx.message.MessageComposer;
import dev.directmx.message.MessageLimits;
import dev.directmx.smtp.SmtpClient;
import dev.directmx.store.OutcomeStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;

/**
 * Builds the batch logic from a configuration and the two adapters that differ between Lambda,
 * the worker and the demo: the outcome store and the queue.
 */
public final class DeliveryComponents {

    private DeliveryComponents() {
    }

    /**
     * The batch logic, signing with the keys {@code config} names (read now, from the process
     * environment, files or AWS).
     */
    public static BatchProcessor processor(DirectmxConfig config, OutcomeStore store, QueueActions queue,
            BatchObserver observer) {
        return processor(config, signing(config.dkim(), System.getenv()), store, queue, observer);
    }

    /** The batch logic with DKIM signing already loaded. */
    public static BatchProcessor processor(DirectmxConfig config, MessageSigning signing, OutcomeStore store,
            QueueActions queue, BatchObserver observer) {
        if (config.helo() == null) {
            throw new IllegalArgumentException("directmx configuration: " + DirectmxConfig.HELO
                    + " is not set: give the fully qualified name to greet servers with (EHLO)");
        }
        DestinationResolver dns = new DestinationResolver(
                DnsServers.resolver(config.dns().orElse(null), config.delivery().dnsTimeout()), new SecureRandom());
        Deliverer deliverer = new Deliverer(dns, new SmtpClient(SmtpClient.Settings.defaults(config.helo())),
                config.delivery(), signing, Clock.systemUTC());
        return new BatchProcessor(new MessageComposer(Clock.systemUTC(), MessageLimits.defaults()), deliverer, store, queue,
                BatchSettings.from(config), Clock.systemUTC(), new SecureRandom(), observer);
    }

    /**
     * Reads a key from wherever its source says: {@code env:} and {@code file:} locally, Secrets
     * Manager and SSM through {@code aws}.
     *
     * @param environment the process environment, for {@code env:} sources
     */
    public static KeyMaterial keyMaterial(Map<String, String> environment, AwsKeyMaterial aws) {
        LocalKeyMaterial local = new LocalKeyMaterial(environment);
        return source -> switch (source) {
            case KeySource.Environment e -> local.read(source);
            case KeySource.File f -> local.read(source);
            case KeySource.SecretsManager s -> aws.read(source);
            case KeySource.ParameterStore p -> aws.read(source);
        };
    }

    /**
     * Reads every configured DKIM key once, at start-up: in Lambda once per execution
     * environment (with SnapStart, when the version is published). A key that cannot be read
     * stops the start, naming the key, rather than letting mail go out unsigned.
     *
     * @param environment the process environment, for {@code env:} sources
     * @throws IllegalArgumentException naming the key, its source and the fix
     */
    public static MessageSigning signing(DirectmxConfig.Dkim dkim, Map<String, String> environment) {
        DkimSigner signer = new DkimSigner(dkim.settings());
        if (dkim.keys().isEmpty()) {
            return new MessageSigning(Keyring.empty(), signer, Clock.systemUTC());
        }
        // The AWS clients are built only if a key lives in AWS, and closed once the keys are read.
        try (AwsKeyMaterial aws = AwsKeyMaterial.fromEnvironment()) {
            return new MessageSigning(Keyring.load(dkim.keys(), keyMaterial(environment, aws)), signer,
                    Clock.systemUTC());
        } catch (KeyUnavailableException e) {
            throw new IllegalArgumentException("directmx configuration: " + e.getMessage(), e);
        }
    }
}
