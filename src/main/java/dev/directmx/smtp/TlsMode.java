package dev.directmx.smtp;

/** How TLS starts on a connection. */
public enum TlsMode {
    /** Plain TCP, upgraded with STARTTLS when the server offers it (RFC 3207), as on ports 25 and 587. */
    STARTTLS,
    /** TLS from the first byte (RFC 8314 §3.3), as on port 465. */
    IMPLICIT
}
