package dev.directmx.store;

/**
 * The route an attempt used.
 *
 * @param tlsProtocol null for plaintext
 * @param tlsCipher null for plaintext
 */
public record StoredRoute(String mxHost, String address, int port, String tlsProtocol, String tlsCipher) {
}
