package dev.directmx.sandbox.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * What a {@link ZoneDnsServer} serves: zones, their records, and names that misbehave on purpose.
 *
 * <p>Zones are inferred so that tests stay short. {@link #zone}, {@link #mx} and {@link #nullMx}
 * make their name a zone apex; {@link #a}, {@link #aaaa}, {@link #cname}, {@link #txt} and {@link
 * #record} put their name in the closest zone already known, or else make a zone of its last two
 * labels ({@code mx1.example.net} goes to {@code example.net}). A query is always answered from the
 * closest enclosing apex, so a zone added later for {@code sub.example.net} takes over the names
 * under it. Every zone gets an SOA and an NS record unless it was given its own.
 *
 * <p>The builder keeps whatever it is given, including data the RFCs forbid (a CNAME beside other
 * records, RFC 1034 §3.6.2; a null MX beside real ones, RFC 7505 §3), so tests can serve
 * misconfigured domains.
 * Exact duplicates are dropped, since an RRset is a set (RFC 2181 §5).
 *
 * <p>Lifecycle: build one instance, then hand it to {@link ZoneDnsServer#start}; the server takes a
 * copy, so later changes do not reach a running server. Not thread-safe.
 */
public final class SandboxZones {

    /**
     * TTL of every record added through this builder, and the default {@code $TTL} of zone files.
     * The default value is 300 seconds: long enough that a resolver's cache is exercised by a test,
     * short enough to look like a real mail domain.
     */
    public static final long DEFAULT_TTL = 300;

    /**
     * TTL and MINIMUM of the synthesized SOA, hence how long resolvers cache NXDOMAIN and NODATA
     * (RFC 2308 §3, §5). The default value is 60 seconds.
     */
    public static final long NEGATIVE_TTL = 60;

    private final Map<Name, List<Record>> records = new LinkedHashMap<>();
    private final Set<Name> apexes = new LinkedHashSet<>();
    private final Map<Name, Fault> faults = new LinkedHashMap<>();

    /**
     * Loads RFC 1035 §5 zone-file text with dnsjava's {@link Master}. {@code $ORIGIN} and {@code
     * $TTL} work; {@code $INCLUDE} is an error, so that zone text cannot read files. An SOA in the
     * text replaces the synthesized one.
     *
     * @param masterFileText the zone file's contents
     * @param origin the zone apex, which is also the initial {@code $ORIGIN}
     * @throws IllegalArgumentException if the text does not parse
     */
    public static SandboxZones parse(String masterFileText, String origin) {
        return new SandboxZones().zoneFile(masterFileText, origin);
    }

    /** Adds the zones and records of zone-file text to this builder; see {@link #parse}. */
    public SandboxZones zoneFile(String masterFileText, String origin) {
        Name apex = name(origin);
        apexes.add(apex);
        byte[] bytes = masterFileText.getBytes(StandardCharsets.UTF_8);
        try (Master master = new Master(new ByteArrayInputStream(bytes), apex, DEFAULT_TTL)) {
            master.disableIncludes(true);
            for (Record record = master.nextRecord(); record != null; record = master.nextRecord()) {
                record(record);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("zone file for " + apex + ": " + e.getMessage(), e);
        }
        return this;
    }

    /** Declares a zone with only its SOA and NS, unless records are added to it. */
    public SandboxZones zone(String apex) {
        apexes.add(name(apex));
        return this;
    }

    /** Adds an MX record; {@code domain} becomes a zone apex. */
    public SandboxZones mx(String domain, int preference, String exchange) {
        Name owner = name(domain);
        apexes.add(owner);
        return record(new MXRecord(owner, DClass.IN, DEFAULT_TTL, preference, name(exchange)));
    }

    /** Adds the null MX of RFC 7505 §3 ({@code MX 0 .}); {@code domain} becomes a zone apex. */
    public SandboxZones nullMx(String domain) {
        Name owner = name(domain);
        apexes.add(owner);
        return record(new MXRecord(owner, DClass.IN, DEFAULT_TTL, 0, Name.root));
    }

    /** Adds an A record; {@code ipv4} must be a literal such as {@code 127.0.0.2}. */
    public SandboxZones a(String host, String ipv4) {
        InetAddress address = literal(ipv4, Address.IPv4);
        return record(new ARecord(name(host), DClass.IN, DEFAULT_TTL, address));
    }

    /** Adds an AAAA record; {@code ipv6} must be a literal such as {@code ::1}. */
    public SandboxZones aaaa(String host, String ipv6) {
        InetAddress address = literal(ipv6, Address.IPv6);
        return record(new AAAARecord(name(host), DClass.IN, DEFAULT_TTL, address));
    }

    /** Adds a CNAME from {@code alias} to {@code target}; the target may be in any zone or none. */
    public SandboxZones cname(String alias, String target) {
        return record(new CNAMERecord(name(alias), DClass.IN, DEFAULT_TTL, name(target)));
    }

    /** Adds a TXT record, split into 255-byte strings as RFC 1035 §3.3.14 requires. */
    public SandboxZones txt(String owner, String text) {
        return record(new TXTRecord(name(owner), DClass.IN, DEFAULT_TTL, characterStrings(text)));
    }

    /** Adds any IN-class record; its owner joins the closest known zone, as for {@link #a}. */
    public SandboxZones record(Record record) {
        if (record.getDClass() != DClass.IN) {
            throw new IllegalArgumentException("only class IN is served: " + record);
        }
        Name owner = record.getName();
        if (record.getType() == Type.SOA) {
            apexes.add(owner);
            // An SOA is a singleton at its apex (RFC 1035 §5.2): a zone file's SOA replaces any other.
            recordsAt(owner).removeIf(existing -> existing.getType() == Type.SOA);
        } else if (closestApex(owner).isEmpty()) {
            apexes.add(impliedApex(owner));
        }
        List<Record> atOwner = recordsAt(owner);
        if (!atOwner.contains(record)) {
            atOwner.add(record);
        }
        return this;
    }

    /** Makes {@code name} and every name under it answer SERVFAIL. */
    public SandboxZones servfail(String name) {
        return fault(name, Fault.SERVFAIL);
    }

    /** Makes {@code name} and every name under it answer REFUSED. */
    public SandboxZones refused(String name) {
        return fault(name, Fault.REFUSED);
    }

    /** Makes {@code name} and every name under it never answer, so clients time out. */
    public SandboxZones silent(String name) {
        return fault(name, Fault.SILENT);
    }

    /** Makes {@code name} and every name under it misbehave as {@code fault} says. */
    public SandboxZones fault(String name, Fault fault) {
        faults.put(name(name), fault);
        return this;
    }

    /** Takes the immutable copy a server answers from, with SOA and NS filled in. */
    Authority authority() {
        return new Authority(records, apexes, faults);
    }

    private List<Record> recordsAt(Name owner) {
        return records.computeIfAbsent(owner, key -> new ArrayList<>());
    }

    private Optional<Name> closestApex(Name name) {
        return Names.closestEnclosing(name, apexes::contains);
    }

    /** The last two labels, a stand-in for the registrable domain; a TLD stands for itself. */
    private static Name impliedApex(Name name) {
        int labels = name.labels() - 1; // without the root label
        return labels <= 2 ? name : new Name(name, labels - 2);
    }

    private static Name name(String text) {
        return Names.parse(text);
    }

    private static InetAddress literal(String text, int family) {
        try {
            // Address.getByAddress parses literals only; it never asks DNS.
            return Address.getByAddress(text, family);
        } catch (UnknownHostException e) {
            String kind = family == Address.IPv4 ? "IPv4" : "IPv6";
            throw new IllegalArgumentException("not an " + kind + " literal: " + text, e);
        }
    }

    /**
     * RFC 1035 §3.3.14: a TXT record is a list of character-strings of at most 255 bytes each. The
     * text is taken literally: each chunk is written in the escaped form dnsjava parses.
     */
    private static List<String> characterStrings(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<String> strings = new ArrayList<>();
        for (int start = 0; start == 0 || start < bytes.length; start += 255) {
            strings.add(escaped(bytes, start, Math.min(bytes.length, start + 255)));
        }
        return strings;
    }

    private static String escaped(byte[] bytes, int from, int to) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i < to; i++) {
            int b = bytes[i] & 0xFF;
            if (b == '\\') {
                out.append("\\\\");
            } else if (b < 0x20 || b > 0x7E) {
                out.append(String.format("\\%03d", b));
            } else {
                out.append((char) b);
            }
        }
        return out.toString();
    }
}
