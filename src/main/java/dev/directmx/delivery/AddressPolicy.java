package dev.directmx.delivery;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Which destination addresses directmx may connect to. By default only public unicast
 * addresses: a recipient domain whose MX points at loopback, a private network or a cloud
 * metadata service would otherwise turn the deliverer into a way into our own network. Tests and
 * local setups allow private addresses explicitly ({@code --allow-private}).
 */
public record AddressPolicy(boolean allowPrivate) {

    public static AddressPolicy publicOnly() {
        return new AddressPolicy(false);
    }

    /** Why {@code address} may not be used, or empty when it may. */
    public Optional<String> refusal(InetAddress address) {
        if (allowPrivate) {
            return Optional.empty();
        }
        String kind = classify(address);
        return kind == null ? Optional.empty()
                : Optional.of(address.getHostAddress() + " is " + kind + "; refused unless private destinations are allowed (--allow-private)");
    }

    /** The kind of non-public address, or {@code null} for a public unicast one. */
    static String classify(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return "a loopback address";
        }
        if (address.isAnyLocalAddress()) {
            return "the unspecified address";
        }
        if (address.isMulticastAddress()) {
            return "a multicast address";
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 169 && second == 254) {
                // 169.254.169.254 is the EC2/Lambda instance metadata service (link-local, RFC 3927).
                return "link-local (cloud metadata lives at 169.254.169.254)";
            }
            if (first == 10 || (first == 172 && second >= 16 && second <= 31) || (first == 192 && second == 168)) {
                return "a private address (RFC 1918)";
            }
            if (first == 100 && second >= 64 && second <= 127) {
                return "shared address space (RFC 6598)";
            }
            if (first == 0 || first >= 240) {
                return "a reserved address";
            }
            if (first == 192 && second == 0 && (b[2] & 0xff) == 0) {
                return "IETF protocol assignment space (RFC 6890)";
            }
            return null;
        }
        if (address instanceof Inet6Address v6) {
            if (v6.isLinkLocalAddress()) {
                return "link-local";
            }
            if ((b[0] & 0xfe) == 0xfc) {
                // fc00::/7 unique local (RFC 4193); fd00:ec2::254 is the EC2 IPv6 metadata service.
                return "a unique local address (RFC 4193)";
            }
            if (v6.isSiteLocalAddress()) {
                return "site-local";
            }
            if (isIpv4Mapped(b)) {
                return "an IPv4-mapped address";
            }
            // 6to4 (2002::/16, RFC 3056) and NAT64 (64:ff9b::/96, RFC 6052) carry an IPv4
            // address inside; a private one there is as private as it is bare.
            InetAddress embedded = embeddedIpv4(b);
            if (embedded != null) {
                String inner = classify(embedded);
                return inner == null ? null : "an IPv6 address embedding " + embedded.getHostAddress() + ", " + inner;
            }
            return null;
        }
        return "an unknown address family";
    }

    private static InetAddress embeddedIpv4(byte[] b) {
        byte[] v4 = null;
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            v4 = new byte[] {b[2], b[3], b[4], b[5]};
        } else if (b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && allZero(b, 4, 12)) {
            v4 = new byte[] {b[12], b[13], b[14], b[15]};
        }
        try {
            return v4 == null ? null : InetAddress.getByAddress(v4);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("four octets are always an IPv4 address", e);
        }
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }
}
