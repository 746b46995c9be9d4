package dev.directmx.cli;

import dev.directmx.delivery.AddressPolicy;
import dev.directmx.delivery.DeliverySettings;
import dev.directmx.delivery.Durations;
import dev.directmx.delivery.ServicePort;
import dev.directmx.smtp.StartTls;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** The delivery options every command that delivers shares (a picocli mixin). */
final class DeliveryOptions {

    @Option(names = "--dns", paramLabel = "HOST:PORT[,HOST:PORT]",
            description = "DNS servers to ask (default: the system's, from /etc/resolv.conf).")
    String dns;

    @Option(names = "--ports", split = ",", paramLabel = "PORT[/tls]",
            description = "Ports tried first on every MX host (default: ${DEFAULT-VALUE}).", defaultValue = "25")
    List<String> ports;

    @Option(names = "--fallback-ports", split = ",", paramLabel = "PORT[/tls]",
            description = "Ports tried on every host after the first ports failed everywhere; 465 is implicit TLS, "
                    + "others STARTTLS, PORT/tls forces implicit TLS. 'none' disables (default: ${DEFAULT-VALUE}).",
            defaultValue = "465,587")
    List<String> fallbackPorts;

    @Option(names = "--helo", paramLabel = "NAME",
            description = "Name to introduce ourselves with in EHLO (default: the sender's domain).")
    String helo;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "60s",
            description = "Time the whole delivery may take, every fallback included: 90s, 2m, PT1M (default: ${DEFAULT-VALUE}).")
    String deadline;

    @Option(names = "--dns-timeout", paramLabel = "DURATION", defaultValue = "5s",
            description = "Timeout of one DNS query (default: ${DEFAULT-VALUE}).")
    String dnsTimeout;

    @Option(names = "--allow-private",
            description = "Allow destinations on loopback, private, link-local and metadata addresses (refused by default).")
    boolean allowPrivate;

    @Option(names = "--require-tls",
            description = "Deliver only over TLS: no plaintext when STARTTLS is missing or its handshake fails.")
    boolean requireTls;

    DeliverySettings settings() {
        return new DeliverySettings(parsePorts("--ports", ports), parsePorts("--fallback-ports", fallbackPorts),
                new AddressPolicy(allowPrivate), requireTls ? StartTls.REQUIRED : StartTls.WHEN_OFFERED,
                duration("--deadline", deadline), duration("--dns-timeout", dnsTimeout));
    }

    private static List<ServicePort> parsePorts(String option, List<String> specs) {
        return ServicePort.parseList(option, String.join(",", specs));
    }

    static Duration duration(String option, String text) {
        return Durations.parse(option, text);
    }
}
