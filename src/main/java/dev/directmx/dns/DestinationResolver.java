package dev.directmx.dns;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;

/**
 * Answers "where does mail for this domain go?" with dnsjava: the MX records in preference order
 * (RFC 5321 §5.1), the null MX (RFC 7505), the implicit MX when there is none, and the addresses
 * of every host. Thread-safe; one instance per process keeps one DNS cache.
 */
public final class DestinationResolver {

    /**
     * MX hosts considered per domain. Large providers publish at most five; a longer list is a
     * misconfiguration or an attempt to make us connect everywhere (Postfix stops at 5 addresses).
     */
    public static final int MAX_MX_HOSTS = 10;
    /** Addresses used per host: enough for dual-stack hosts with a few A records each. */
    public static final int MAX_ADDRESSES_PER_HOST = 4;
    /**
     * CNAME links followed per lookup. RFC 1034 §3.6.2 allows chains; RFC 5321 §5.1 forbids an
     * MX target to be an alias at all, so a short cap only stops loops and abuse.
     */
    public static final int MAX_CNAME_CHAIN = 8;

    /** Lookups wait on the network, so each runs on its own virtual thread. */
    private static final Executor LOOKUPS = Executors.newVirtualThreadPerTaskExecutor();

    private final LookupSession session;
    private final Random random;

    /**
     * @param resolver the DNS servers to ask (see {@link DnsServers}); its timeout applies per query
     * @param random shuffles MX hosts of equal preference (injected so tests can fix the order)
     */
    public DestinationResolver(Resolver resolver, Random random) {
        this.session = LookupSession.builder()
                .resolver(resolver)
                .maxRedirects(MAX_CNAME_CHAIN)
                .clearSearchPath()
                .cache(new Cache(DClass.IN))
                // dnsjava completes lookups on ForkJoinPool.commonPool() unless told otherwise;
                // callers blocked on that pool (two cores make it one thread) would starve their
                // own lookups until they time out.
                .executor(LOOKUPS)
                .build();
        this.random = random;
    }

    /**
     * Resolves {@code asciiDomain} (an A-label), waiting at most {@code budget} for all lookups.
     */
    public Destinations resolve(String asciiDomain, Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        Name name;
        try {
            name = Name.fromString(asciiDomain, Name.root);
        } catch (TextParseException e) {
            return new Destinations.NoSuchDomain(asciiDomain);
        }
        Answer<MXRecord> mx = lookup(name, Type.MX, MXRecord.class, deadline);
        return switch (mx.status()) {
            // RFC 5321 §5.1: the domain exists with no MX, so it is its own (implicit) MX.
            case NODATA -> implicitMx(asciiDomain, name, deadline);
            case NXDOMAIN -> new Destinations.NoSuchDomain(asciiDomain);
            case FAILED -> new Destinations.TemporaryFailure(asciiDomain, "MX lookup for " + asciiDomain + ": " + mx.problem());
            case FOUND -> fromMx(asciiDomain, name, mx.records(), deadline);
        };
    }

    private Destinations implicitMx(String domain, Name name, long deadline) {
        MxHost self = host(name, 0, deadline);
        if (self.addresses().isEmpty()) {
            if (self.problem() != null && self.problem().startsWith("NXDOMAIN")) {
                return new Destinations.NoSuchDomain(domain);
            }
            return new Destinations.TemporaryFailure(domain,
                    "no MX records and no address for " + domain + " (implicit MX, RFC 5321 §5.1): " + self.problem());
        }
        return new Destinations.Found(domain, List.of(self), List.of(), true);
    }

    private Destinations fromMx(String domain, Name name, List<MXRecord> records, long deadline) {
        List<MXRecord> real = records.stream().filter(r -> !r.getTarget().equals(Name.root)).toList();
        if (real.isEmpty()) {
            // RFC 7505 §3: "MX 0 ." says the domain accepts no mail at all.
            return new Destinations.NullMx(domain);
        }
        // RFC 7505 §3 forbids mixing a null MX with others; if a domain does, the real hosts win.
        List<MXRecord> ordered = orderByPreference(real);
        if (ordered.size() > MAX_MX_HOSTS) {
            ordered = ordered.subList(0, MAX_MX_HOSTS);
        }
        Map<Name, CompletableFuture<MxHost>> hosts = new LinkedHashMap<>();
        for (MXRecord mx : ordered) {
            hosts.putIfAbsent(mx.getTarget(), CompletableFuture.supplyAsync(() -> host(mx.getTarget(), mx.getPriority(), deadline), LOOKUPS));
        }
        CompletableFuture<MxHost> self = CompletableFuture.supplyAsync(() -> host(name, 0, deadline), LOOKUPS);
        List<MxHost> resolved = hosts.values().stream().map(CompletableFuture::join).toList();
        MxHost domainItself = self.join();
        boolean domainIsAnMx = hosts.containsKey(name);
        List<InetAddress> domainAddresses = domainIsAnMx ? List.of() : domainItself.addresses();
        if (resolved.stream().allMatch(h -> h.addresses().isEmpty()) && domainAddresses.isEmpty()) {
            StringBuilder why = new StringBuilder("no MX host of " + domain + " has an address:");
            resolved.forEach(h -> why.append(' ').append(h.name()).append(" (").append(h.problem()).append(')'));
            return new Destinations.TemporaryFailure(domain, why.toString());
        }
        return new Destinations.Found(domain, resolved, domainAddresses, false);
    }

    /** RFC 5321 §5.1: lowest preference first; hosts of equal preference in random order. */
    List<MXRecord> orderByPreference(List<MXRecord> records) {
        List<MXRecord> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, random);
        shuffled.sort(Comparator.comparingInt(MXRecord::getPriority));
        return shuffled;
    }

    /** A and AAAA for one host, IPv4 first: IPv4 is what every MX and every VPC reaches. */
    private MxHost host(Name host, int preference, long deadline) {
        CompletableFuture<Answer<ARecord>> v4 = CompletableFuture.supplyAsync(() -> lookup(host, Type.A, ARecord.class, deadline), LOOKUPS);
        Answer<AAAARecord> v6 = lookup(host, Type.AAAA, AAAARecord.class, deadline);
        Answer<ARecord> a = v4.join();
        List<InetAddress> addresses = new ArrayList<>();
        a.records().stream().map(ARecord::getAddress).limit(MAX_ADDRESSES_PER_HOST).forEach(addresses::add);
        v6.records().stream().map(AAAARecord::getAddress).limit(MAX_ADDRESSES_PER_HOST).forEach(addresses::add);
        String problem = null;
        if (addresses.isEmpty()) {
            problem = a.status() == Status.NXDOMAIN ? "NXDOMAIN: " + display(host) + " does not exist"
                    : a.status() == Status.FAILED ? "A lookup failed: " + a.problem()
                    : v6.status() == Status.FAILED ? "AAAA lookup failed: " + v6.problem()
                    : "no A or AAAA record for " + display(host);
        }
        return new MxHost(display(host), preference, addresses, problem);
    }

    private static String display(Name name) {
        return name.toString(true);
    }

    private enum Status { FOUND, NODATA, NXDOMAIN, FAILED }

    private record Answer<T>(Status status, List<T> records, String problem) {
    }

    /**
     * One query. NODATA may come back as an empty result or as {@link NoSuchRRSetException}
     * (design.md); both mean the same. NXDOMAIN is {@link NoSuchDomainException}; everything
     * else (SERVFAIL, REFUSED, timeouts, CNAME loops) is a failure to try again later.
     */
    private <T extends Record> Answer<T> lookup(Name name, int type, Class<T> recordType, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return new Answer<>(Status.FAILED, List.of(), "DNS time budget exhausted before the " + Type.string(type) + " query");
        }
        try {
            LookupResult result = session.lookupAsync(name, type).toCompletableFuture().get(left, TimeUnit.NANOSECONDS);
            List<T> records = result.getRecords().stream().filter(recordType::isInstance).map(recordType::cast).toList();
            return records.isEmpty() ? new Answer<>(Status.NODATA, records, null) : new Answer<>(Status.FOUND, records, null);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof NoSuchDomainException) {
                return new Answer<>(Status.NXDOMAIN, List.of(), "NXDOMAIN");
            }
            if (cause instanceof NoSuchRRSetException) {
                return new Answer<>(Status.NODATA, List.of(), null);
            }
            return new Answer<>(Status.FAILED, List.of(), describe(cause));
        } catch (TimeoutException e) {
            return new Answer<>(Status.FAILED, List.of(), "timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer<>(Status.FAILED, List.of(), "interrupted");
        }
    }

    private static String describe(Throwable cause) {
        String name = cause.getClass().getSimpleName();
        if (name.equals("ServerFailedException")) {
            return "SERVFAIL (the DNS server could not answer)";
        }
        if (cause instanceof java.io.IOException || cause instanceof TimeoutException) {
            return "no answer from the DNS server (" + (cause.getMessage() == null ? name : cause.getMessage()) + ")";
        }
        return name + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
