package dev.directmx.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.directmx.sandbox.dns.SandboxZones;
import dev.directmx.sandbox.dns.ZoneDnsServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Route resolution against a real DNS server on loopback (the in-JVM zone server). */
class DestinationResolverTest {

    private static ZoneDnsServer dns;

    @BeforeAll
    static void startDns() throws Exception {
        dns = ZoneDnsServer.start(new SandboxZones()
                .mx("example.net", 20, "mx2.example.net")
                .mx("example.net", 10, "mx1.example.net")
                .a("mx1.example.net", "192.0.2.1")
                .aaaa("mx1.example.net", "2001:db8::1")
                .a("mx2.example.net", "192.0.2.2")
                .a("example.net", "192.0.2.9")
                .mx("equal.example", 10, "a.equal.example")
                .mx("equal.example", 10, "b.equal.example")
                .mx("equal.example", 10, "c.equal.example")
                .a("a.equal.example", "192.0.2.11")
                .a("b.equal.example", "192.0.2.12")
                .a("c.equal.example", "192.0.2.13")
                .a("implicit.example", "192.0.2.20")
                .nullMx("nullmx.example")
                .zone("empty.example")
                .mx("dangling.example", 10, "nowhere.dangling.example")
                .mx("v6only.example", 10, "mx.v6only.example")
                .aaaa("mx.v6only.example", "2001:db8::25")
                .mx("alias.example", 10, "mx.alias.example")
                .cname("mx.alias.example", "real.alias.example")
                .a("real.alias.example", "192.0.2.30")
                .servfail("broken.example")
                .silent("slow.example"));
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    private static DestinationResolver resolver(long seed) {
        return new DestinationResolver(DnsServers.resolver(dns.hostPort(), Duration.ofMillis(700)), new Random(seed));
    }

    private static Destinations resolve(String domain) {
        return resolver(1).resolve(domain, Duration.ofSeconds(5));
    }

    @Test
    void mxHostsComeInPreferenceOrderWithTheirAddresses() {
        Destinations.Found found = (Destinations.Found) resolve("example.net");

        assertThat(found.mxHosts()).extracting(MxHost::name).containsExactly("mx1.example.net", "mx2.example.net");
        assertThat(found.mxHosts().get(0).addresses()).extracting(a -> a.getHostAddress())
                .containsExactly("192.0.2.1", "2001:db8:0:0:0:0:0:1");
        assertThat(found.domainAddresses()).extracting(a -> a.getHostAddress()).containsExactly("192.0.2.9");
        assertThat(found.implicitMx()).isFalse();
    }

    @Test
    void equalPreferencesAreShuffled() {
        Set<List<String>> orders = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            Destinations.Found found = (Destinations.Found) resolver(seed).resolve("equal.example", Duration.ofSeconds(5));
            orders.add(found.mxHosts().stream().map(MxHost::name).toList());
        }
        assertThat(orders).hasSizeGreaterThan(1);
    }

    @Test
    void noMxRecordsMeansTheDomainIsItsOwnMx() {
        Destinations.Found found = (Destinations.Found) resolve("implicit.example");

        assertThat(found.implicitMx()).isTrue();
        assertThat(found.mxHosts()).singleElement().satisfies(h -> {
            assertThat(h.name()).isEqualTo("implicit.example");
            assertThat(h.addresses()).extracting(a -> a.getHostAddress()).containsExactly("192.0.2.20");
        });
    }

    @Test
    void nullMxFailsPermanently() {
        assertThat(resolve("nullmx.example")).isEqualTo(new Destinations.NullMx("nullmx.example"));
    }

    @Test
    void nxdomainIsNoSuchDomain() {
        assertThat(resolve("nosuch.example.net")).isEqualTo(new Destinations.NoSuchDomain("nosuch.example.net"));
    }

    @Test
    void domainWithNeitherMxNorAddressIsATemporaryFailure() {
        assertThat(resolve("empty.example")).isInstanceOf(Destinations.TemporaryFailure.class);
    }

    @Test
    void servfailIsTransientNotNoSuchDomain() {
        Destinations result = resolve("broken.example");

        assertThat(result).isInstanceOfSatisfying(Destinations.TemporaryFailure.class,
                t -> assertThat(t.reason()).contains("SERVFAIL"));
    }

    @Test
    void timeoutIsTransient() {
        Destinations result = resolver(1).resolve("slow.example", Duration.ofSeconds(2));

        assertThat(result).isInstanceOf(Destinations.TemporaryFailure.class);
    }

    @Test
    void mxTargetThatDoesNotResolveIsATemporaryFailureNamingIt() {
        Destinations result = resolve("dangling.example");

        assertThat(result).isInstanceOfSatisfying(Destinations.TemporaryFailure.class,
                t -> assertThat(t.reason()).contains("nowhere.dangling.example"));
    }

    @Test
    void mxWithOnlyAnAaaaRecordIsUsable() {
        Destinations.Found found = (Destinations.Found) resolve("v6only.example");

        assertThat(found.mxHosts().get(0).addresses()).extracting(a -> a.getHostAddress())
                .containsExactly("2001:db8:0:0:0:0:0:25");
    }

    @Test
    void mxTargetBehindACnameIsFollowed() {
        Destinations.Found found = (Destinations.Found) resolve("alias.example");

        assertThat(found.mxHosts().get(0).addresses()).extracting(a -> a.getHostAddress()).containsExactly("192.0.2.30");
    }
}
