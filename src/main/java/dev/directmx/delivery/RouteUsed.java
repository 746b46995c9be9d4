package dev.directmx.delivery;

import dev.directmx.smtp.TlsInfo;

/**
 * The route a recipient's outcome came from, as stored and shown.
 *
 * @param mxHost the host name (MX target, or the domain for implicit MX and the A fallback)
 * @param address the IP address connected to
 * @param port the TCP port
 * @param kind why this host was tried
 * @param tls the TLS protocol and cipher, or {@code null} when the session was plaintext
 */
public record RouteUsed(String mxHost, String address, int port, Route.Kind kind, TlsInfo tls) {

    static RouteUsed of(Route route, TlsInfo tls) {
        return new RouteUsed(route.host(), route.address().getHostAddress(), route.port().port(), route.kind(), tls);
    }
}
