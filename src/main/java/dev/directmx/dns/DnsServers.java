package dev.directmx.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;

/**
 * Builds the dnsjava {@link Resolver} directmx queries: the servers named in configuration
 * ({@code HOST:PORT}, comma-separated), or the system's (from {@code /etc/resolv.conf}).
 */
public final class DnsServers {

    private DnsServers() {
    }

    /**
     * @param spec {@code null} or blank for the system resolvers; otherwise {@code HOST[:PORT]}
     *     entries separated by commas, IPv6 literals in brackets ({@code [::1]:5353})
     * @param timeout how long one query may take before it counts as a timeout
     * @throws IllegalArgumentException naming the entry at fault
     */
    public static Resolver resolver(String spec, Duration timeout) {
        Resolver resolver;
        if (spec == null || spec.isBlank()) {
            resolver = new ExtendedResolver();
        } else {
            List<Resolver> servers = new ArrayList<>();
            for (String entry : spec.split(",")) {
                servers.add(new SimpleResolver(parse(entry.strip())));
            }
            resolver = servers.size() == 1 ? servers.get(0) : new ExtendedResolver(servers);
        }
        resolver.setTimeout(timeout);
        return resolver;
    }

    /** Parses {@code HOST}, {@code HOST:PORT} or {@code [V6]:PORT}; the port defaults to 53. */
    public static InetSocketAddress parse(String entry) {
        String host = entry;
        int port = 53;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("DNS server '" + entry + "': missing ']' after the IPv6 address");
            }
            host = entry.substring(1, close);
            String rest = entry.substring(close + 1);
            if (rest.startsWith(":")) {
                port = port(entry, rest.substring(1));
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("DNS server '" + entry + "': expected [ADDRESS]:PORT");
            }
        } else if (entry.indexOf(':') >= 0 && entry.indexOf(':') == entry.lastIndexOf(':')) {
            host = entry.substring(0, entry.indexOf(':'));
            port = port(entry, entry.substring(entry.indexOf(':') + 1));
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("DNS server '" + entry + "': no host; write HOST:PORT, e.g. 127.0.0.1:5353");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("DNS server '" + entry + "': cannot resolve '" + host + "'; give an IP address");
        }
        return address;
    }

    private static int port(String entry, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("DNS server '" + entry + "': port '" + text + "' is not a number from 1 to 65535");
        }
    }
}
