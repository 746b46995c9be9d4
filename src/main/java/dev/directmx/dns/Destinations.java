package dev.directmx.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * Where a domain's mail may go, decided once from DNS. Permanence is decided here, at the layer
 * that knows: a null MX or a nonexistent domain is final; a DNS failure is transient.
 */
public sealed interface Destinations {

    /** The domain as queried (an A-label). */
    String domain();

    /**
     * Hosts to try.
     *
     * @param mxHosts MX hosts in delivery order (preference, equal preferences shuffled); for an
     *     implicit MX, the domain itself
     * @param domainAddresses the domain's own A/AAAA addresses, the seed's fallback after the MX
     *     hosts (empty when none, or when the domain is the implicit MX already)
     * @param implicitMx whether the domain has no MX records (RFC 5321 §5.1)
     */
    record Found(String domain, List<MxHost> mxHosts, List<InetAddress> domainAddresses, boolean implicitMx)
            implements Destinations {
        public Found {
            mxHosts = List.copyOf(mxHosts);
            domainAddresses = List.copyOf(domainAddresses);
        }
    }

    /** RFC 7505: the domain publishes {@code MX 0 .}: it accepts no mail. Permanent, 5.1.10. */
    record NullMx(String domain) implements Destinations {
    }

    /** NXDOMAIN: the domain does not exist. Permanent, 5.1.2 (RFC 3463: bad destination system). */
    record NoSuchDomain(String domain) implements Destinations {
    }

    /**
     * DNS could not answer now (SERVFAIL, timeout, refused, or no host resolved). Transient, 4.4.3.
     *
     * @param reason what failed, naming the query
     */
    record TemporaryFailure(String domain, String reason) implements Destinations {
    }
}
