package dev.directmx.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.directmx.dns.Destinations;
import dev.directmx.dns.MxHost;
import dev.directmx.smtp.TlsMode;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutePlannerTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    private static List<String> describe(RoutePlan plan) {
        return plan.routes().stream()
                .map(r -> r.host() + "/" + r.address().getHostAddress() + ":" + r.port().port() + "/" + r.kind())
                .toList();
    }

    private final RoutePlanner seedOrder = new RoutePlanner(List.of(ServicePort.SMTP),
            List.of(ServicePort.SUBMISSIONS, ServicePort.SUBMISSION), AddressPolicy.publicOnly());

    @Test
    void everyMxThenTheDomainAddressThenTheSameOnFallbackPorts() throws Exception {
        Destinations.Found found = new Destinations.Found("example.net",
                List.of(new MxHost("mx1.example.net", 10, List.of(ip("192.0.2.1"), ip("2001:db8::1")), null),
                        new MxHost("mx2.example.net", 20, List.of(ip("198.51.100.2")), null)),
                List.of(ip("203.0.113.9")), false);

        RoutePlan plan = seedOrder.plan(found);

        assertThat(describe(plan)).containsExactly(
                "mx1.example.net/192.0.2.1:25/MX",
                "mx1.example.net/2001:db8:0:0:0:0:0:1:25/MX",
                "mx2.example.net/198.51.100.2:25/MX",
                "example.net/203.0.113.9:25/DOMAIN_ADDRESS",
                "mx1.example.net/192.0.2.1:465/MX",
                "mx1.example.net/2001:db8:0:0:0:0:0:1:465/MX",
                "mx2.example.net/198.51.100.2:465/MX",
                "example.net/203.0.113.9:465/DOMAIN_ADDRESS",
                "mx1.example.net/192.0.2.1:587/MX",
                "mx1.example.net/2001:db8:0:0:0:0:0:1:587/MX",
                "mx2.example.net/198.51.100.2:587/MX",
                "example.net/203.0.113.9:587/DOMAIN_ADDRESS");
        assertThat(plan.routes().get(4).tlsMode()).isEqualTo(TlsMode.IMPLICIT);
        assertThat(plan.routes().get(8).tlsMode()).isEqualTo(TlsMode.STARTTLS);
    }

    @Test
    void implicitMxRoutesAreMarkedAsSuch() throws Exception {
        Destinations.Found found = new Destinations.Found("example.org",
                List.of(new MxHost("example.org", 0, List.of(ip("192.0.2.7")), null)), List.of(), true);

        RoutePlan plan = new RoutePlanner(List.of(ServicePort.SMTP), List.of(), AddressPolicy.publicOnly()).plan(found);

        assertThat(describe(plan)).containsExactly("example.org/192.0.2.7:25/IMPLICIT_MX");
    }

    @Test
    void anAddressReachedThroughTwoNamesIsTriedOncePerPort() throws Exception {
        Destinations.Found found = new Destinations.Found("example.net",
                List.of(new MxHost("mx1.example.net", 10, List.of(ip("192.0.2.1")), null),
                        new MxHost("mx2.example.net", 20, List.of(ip("192.0.2.1")), null)),
                List.of(ip("192.0.2.1")), false);

        RoutePlan plan = new RoutePlanner(List.of(ServicePort.SMTP), List.of(), AddressPolicy.publicOnly()).plan(found);

        assertThat(describe(plan)).containsExactly("mx1.example.net/192.0.2.1:25/MX");
    }

    @Test
    void privateAndMetadataAddressesAreRefusedByDefault() throws Exception {
        Destinations.Found found = new Destinations.Found("evil.example",
                List.of(new MxHost("mx.evil.example", 10,
                        List.of(ip("127.0.0.1"), ip("10.1.2.3"), ip("169.254.169.254"), ip("192.0.2.1")), null)),
                List.of(), false);

        RoutePlan plan = new RoutePlanner(List.of(ServicePort.SMTP), List.of(), AddressPolicy.publicOnly()).plan(found);

        assertThat(describe(plan)).containsExactly("mx.evil.example/192.0.2.1:25/MX");
        assertThat(plan.refused()).hasSize(3);
        assertThat(plan.refused()).anyMatch(r -> r.contains("169.254.169.254") && r.contains("metadata"));
        assertThat(plan.refused()).allMatch(r -> r.contains("--allow-private"));
    }

    @Test
    void allowPrivateLetsLoopbackThrough() throws Exception {
        Destinations.Found found = new Destinations.Found("example.test",
                List.of(new MxHost("mx.example.test", 10, List.of(ip("127.0.0.2")), null)), List.of(), false);

        RoutePlan plan = new RoutePlanner(List.of(ServicePort.SMTP), List.of(), new AddressPolicy(true)).plan(found);

        assertThat(plan.routes()).hasSize(1);
        assertThat(plan.refused()).isEmpty();
    }

    @Test
    void theNumberOfRoutesIsCapped() throws Exception {
        List<MxHost> hosts = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            hosts.add(new MxHost("mx" + i + ".example.net", i, List.of(ip("192.0.2." + (i * 4 + 1)), ip("192.0.2." + (i * 4 + 2)),
                    ip("192.0.2." + (i * 4 + 3))), null));
        }
        Destinations.Found found = new Destinations.Found("example.net", hosts, List.of(), false);

        assertThat(seedOrder.plan(found).routes()).hasSize(RoutePlanner.MAX_ROUTES);
    }
}
