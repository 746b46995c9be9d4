/**
 * An in-JVM authoritative DNS server for tests and the offline demo.
 *
 * <p>{@link dev.directmx.sandbox.dns.SandboxZones} describes what to serve (records, and names that
 * misbehave on purpose); {@link dev.directmx.sandbox.dns.ZoneDnsServer} answers for it on the wire,
 * over UDP and TCP on one loopback port, so the product's dnsjava resolver can be pointed at {@code
 * 127.0.0.1:PORT} exactly as it would be at a real server. Answers follow RFC 1034 §4.3.2, RFC
 * 1035 and RFC 2308 for an authoritative server; there is no recursion, no wildcard, no DNAME, no
 * DNSSEC and no zone transfer.
 */
package dev.directmx.sandbox.dns;
