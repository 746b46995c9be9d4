package dev.directmx.delivery;

import dev.directmx.smtp.TlsMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One concrete way to reach a domain's mail: a host, one of its addresses, a port and the TLS
 * mode there. Immutable.
 *
 * @param host the MX host (or the domain itself for the A/AAAA fallback)
 * @param kind why this host is in the plan
 */
public record Route(String host, InetAddress address, ServicePort port, Kind kind) {

    /** Where a route comes from, in the seed's order. */
    public enum Kind {
        /** An MX record's target. */
        MX,
        /** The domain itself because it has no MX records (RFC 5321 §5.1). */
        IMPLICIT_MX,
        /** The domain's own A/AAAA after every MX host failed (the seed's fallback). */
        DOMAIN_ADDRESS
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port.port());
    }

    public TlsMode tlsMode() {
        return port.tlsMode();
    }

    @Override
    public String toString() {
        String literal = address.getHostAddress();
        return host + " [" + literal + "]:" + port;
    }
}
