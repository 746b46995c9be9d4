package dev.directmx.smtp;

/** Whether a session on a {@link TlsMode#STARTTLS} port upgrades to TLS. */
public enum StartTls {
    /** Upgrade when the server offers STARTTLS; otherwise continue in plaintext (RFC 3207, RFC 7435). */
    WHEN_OFFERED,
    /** Do not try: used for the one plaintext retry after a failed handshake. */
    NEVER,
    /** Upgrade or give up on this server: the policy for destinations that must be encrypted. */
    REQUIRED
}
