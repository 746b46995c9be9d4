package dev.directmx.sandbox.dns;

/**
 * A way a name can be made to misbehave on purpose. A fault applies to the name it is set on and
 * to every name under it, and takes precedence over any record or zone the server holds there.
 */
public enum Fault {
    /** Answer with rcode SERVFAIL, as a broken server does (RFC 1035 §4.1.1). */
    SERVFAIL,
    /** Answer with rcode REFUSED, as a server that will not serve the name does (RFC 1035 §4.1.1). */
    REFUSED,
    /** Never answer, so the client's timeout is what decides the outcome. */
    SILENT
}
