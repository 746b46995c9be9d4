package dev.directmx.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * A host that may receive the domain's mail, with the addresses it resolved to.
 *
 * @param name the host name without the trailing dot
 * @param preference the MX preference (lower is tried first); 0 for an implicit MX
 * @param addresses IPv4 addresses first, then IPv6, each in DNS order; empty when the name did
 *     not resolve
 * @param problem why {@code addresses} is empty (or partial), or {@code null}
 */
public record MxHost(String name, int preference, List<InetAddress> addresses, String problem) {
    public MxHost {
        addresses = List.copyOf(addresses);
    }
}
