package dev.directmx.smtp;

/**
 * The TLS parameters a connection ended up with.
 *
 * @param protocol e.g. {@code TLSv1.3}
 * @param cipherSuite e.g. {@code TLS_AES_256_GCM_SHA384}
 */
public record TlsInfo(String protocol, String cipherSuite) {
}
