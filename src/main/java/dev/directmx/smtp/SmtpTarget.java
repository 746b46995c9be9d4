package dev.directmx.smtp;

import java.net.InetSocketAddress;

/**
 * The server one session talks to.
 *
 * @param address the IP address and port to connect to
 * @param hostName the MX host name (for SNI and the transcript)
 * @param tlsMode how TLS starts on this port
 */
public record SmtpTarget(InetSocketAddress address, String hostName, TlsMode tlsMode) {
}
