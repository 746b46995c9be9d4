package dev.directmx.sandbox.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupFailedException;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.ServerFailedException;

/**
 * The server behind dnsjava 3.6.3's {@link LookupSession}, as the product uses it. These tests pin
 * down how each DNS outcome surfaces, so that the resolver code can rely on it:
 *
 * <ul>
 *   <li>NXDOMAIN: {@link NoSuchDomainException}, also when a CNAME points at a missing name.
 *   <li>NODATA: an empty {@link LookupResult} from the wire, but {@link NoSuchRRSetException} when
 *       the session's cache answers (the negative answer is cached for the SOA's MINIMUM).
 *   <li>SERVFAIL: {@link ServerFailedException}.
 *   <li>REFUSED: the base {@link LookupFailedException} itself, not a subclass.
 *   <li>Timeout: {@link SocketTimeoutException}, an {@link IOException}, not a lookup exception.
 * </ul>
 *
 * <p>All but the IOException extend {@link LookupFailedException}: test the subclasses first.
 */
class LookupSessionInteropTest {

    /** Lookups that get a reply take milliseconds; this bounds a lookup that goes wrong. */
    private static final Duration LOOKUP_BOUND = Duration.ofSeconds(2);

    private static ZoneDnsServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server =
                ZoneDnsServer.start(
                        new SandboxZones()
                                .mx("example.net", 10, "mx1.example.net")
                                .mx("example.net", 20, "mx2.example.net")
                                .a("mx1.example.net", "127.0.0.2")
                                .cname("alias.example.net", "mx1.example.net")
                                .cname("dangling.example.net", "nosuch.example.net")
                                .servfail("broken.example")
                                .silent("slow.example"));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void mxLookupReturnsBothRecords() {
        LookupResult result = lookup(session(), "example.net", Type.MX).join();

        assertThat(result.getRecords())
                .map(MXRecord.class::cast)
                .extracting(MXRecord::getPriority, mx -> mx.getTarget().toString())
                .containsExactlyInAnyOrder(tuple(10, "mx1.example.net."), tuple(20, "mx2.example.net."));
    }

    @Test
    void nxdomainSurfacesAsNoSuchDomainException() {
        assertThat(lookup(session(), "nosuch.example.net", Type.MX))
                .failsWithin(LOOKUP_BOUND)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(NoSuchDomainException.class);
    }

    @Test
    void nxdomainIsCachedSoTheSecondLookupSendsNoQuery() {
        LookupSession session = session();
        lookup(session, "gone.example.net", Type.MX).exceptionally(e -> null).join();
        int queriesAfterFirst = server.queries().size();

        assertThat(lookup(session, "gone.example.net", Type.MX))
                .failsWithin(LOOKUP_BOUND)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(NoSuchDomainException.class);
        assertThat(server.queries()).hasSize(queriesAfterFirst);
    }

    @Test
    void nodataIsAnEmptyResultFromTheWireAndNoSuchRRSetFromTheCache() {
        LookupSession session = session();

        LookupResult fromWire = lookup(session, "example.net", Type.AAAA).join();

        assertThat(fromWire.getRecords()).isEmpty();
        assertThat(lookup(session, "example.net", Type.AAAA))
                .failsWithin(LOOKUP_BOUND)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(NoSuchRRSetException.class);
    }

    @Test
    void servfailSurfacesAsServerFailedException() {
        assertThat(lookup(session(), "broken.example", Type.MX))
                .failsWithin(LOOKUP_BOUND)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(ServerFailedException.class);
    }

    @Test
    void refusedSurfacesAsPlainLookupFailedException() {
        assertThat(lookup(session(), "example.org", Type.MX))
                .failsWithin(LOOKUP_BOUND)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isExactlyInstanceOf(LookupFailedException.class)
                .withMessageContaining("REFUSED");
    }

    /**
     * dnsjava checks UDP timeouts once per selector pass ({@code dnsjava.nio.selector_timeout}, 1
     * second by default), so a 300 ms timeout fires after about a second.
     */
    @Test
    void timeoutSurfacesAsSocketTimeoutException() {
        assertThat(lookup(session(), "slow.example", Type.MX))
                .failsWithin(LOOKUP_BOUND)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void cnameIsFollowedAndReportedAsAlias() {
        LookupResult result = lookup(session(), "alias.example.net", Type.A).join();

        assertThat(result.getAliases()).containsExactly(Names.parse("alias.example.net"));
        assertThat(result.getRecords())
                .singleElement()
                .satisfies(a -> assertThat(a.getName()).isEqualTo(Names.parse("mx1.example.net")));
    }

    @Test
    void cnameToMissingNameSurfacesAsNoSuchDomainException() {
        assertThat(lookup(session(), "dangling.example.net", Type.A))
                .failsWithin(LOOKUP_BOUND)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(NoSuchDomainException.class);
    }

    /** A fresh session, hence a fresh cache, per test, built the way the product builds one. */
    private static LookupSession session() {
        SimpleResolver resolver = new SimpleResolver(server.address());
        resolver.setTimeout(Duration.ofMillis(300));
        return LookupSession.defaultBuilder().resolver(resolver).build();
    }

    private static CompletableFuture<LookupResult> lookup(
            LookupSession session, String name, int type) {
        Name absolute = Names.parse(name); // Absolute, so no search path applies.
        return session.lookupAsync(absolute, type).toCompletableFuture();
    }
}
