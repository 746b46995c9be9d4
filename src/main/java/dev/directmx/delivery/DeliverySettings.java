package dev.directmx.delivery;

import dev.directmx.smtp.StartTls;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a message is delivered.
 *
 * @param ports the ports tried first on every host; default {@code 25}, where MX hosts listen
 * @param fallbackPorts tried on every host after the primary ports failed everywhere; default
 *     {@code 465} (implicit TLS) then {@code 587} (STARTTLS), as the seed suggests for servers
 *     that only listen there
 * @param addressPolicy which destination addresses may be used; default public addresses only
 * @param startTls STARTTLS policy; default opportunistic
 * @param deadline the whole message's budget, DNS and every fallback included; default 60 s
 * @param dnsTimeout one DNS query's timeout; default 5 s
 */
public record DeliverySettings(List<ServicePort> ports, List<ServicePort> fallbackPorts, AddressPolicy addressPolicy,
        StartTls startTls, Duration deadline, Duration dnsTimeout) {

    public DeliverySettings {
        ports = List.copyOf(ports);
        fallbackPorts = List.copyOf(fallbackPorts);
        Objects.requireNonNull(addressPolicy, "addressPolicy");
        Objects.requireNonNull(startTls, "startTls");
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("ports: at least one delivery port is needed (normally 25)");
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive, got " + deadline);
        }
        if (dnsTimeout.isNegative() || dnsTimeout.isZero()) {
            throw new IllegalArgumentException("DNS timeout must be positive, got " + dnsTimeout);
        }
    }

    public static DeliverySettings defaults() {
        return new DeliverySettings(List.of(ServicePort.SMTP), List.of(ServicePort.SUBMISSIONS, ServicePort.SUBMISSION),
                AddressPolicy.publicOnly(), StartTls.WHEN_OFFERED, Duration.ofSeconds(60), Duration.ofSeconds(5));
    }

    public DeliverySettings withDeadline(Duration value) {
        return new DeliverySettings(ports, fallbackPorts, addressPolicy, startTls, value, dnsTimeout);
    }
}
