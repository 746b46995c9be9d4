package dev.directmx.sandbox.dns;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * The data a running {@link ZoneDnsServer} answers from, and the RFC 1034 §4.3.2 lookup over it.
 * Immutable: made once by {@link SandboxZones#authority()} when the server starts, then shared by
 * all of the server's threads.
 */
final class Authority {

    /**
     * Most CNAME links followed within the served zones for one answer. The default value is 8: more
     * than real domains chain, and a cap keeps a looped zone from spinning the server. A chain cut
     * here is still complete for a resolver, which continues from the last target itself (dnsjava's
     * {@code LookupSession} follows up to 16 redirects).
     */
    static final int MAX_CNAME_CHAIN = 8;

    private final Map<Name, List<Record>> records;
    private final Set<Name> apexes;
    private final Map<Name, Fault> faults;
    /** Owner names and their ancestors: a name with only descendants exists (RFC 4592 §2.2.2). */
    private final Set<Name> existingNames = new HashSet<>();

    Authority(Map<Name, List<Record>> records, Set<Name> apexes, Map<Name, Fault> faults) {
        Map<Name, List<Record>> all = new LinkedHashMap<>();
        records.forEach((owner, list) -> all.put(owner, new ArrayList<>(list)));
        for (Name apex : apexes) {
            List<Record> atApex = all.computeIfAbsent(apex, key -> new ArrayList<>());
            if (atApex.stream().noneMatch(r -> r.getType() == Type.SOA)) {
                atApex.add(0, synthesizedSoa(apex));
            }
            if (atApex.stream().noneMatch(r -> r.getType() == Type.NS)) {
                atApex.add(new NSRecord(apex, DClass.IN, SandboxZones.DEFAULT_TTL, nameServer(apex)));
            }
        }
        all.replaceAll((owner, list) -> List.copyOf(list));
        this.records = Map.copyOf(all);
        this.apexes = Set.copyOf(apexes);
        this.faults = Map.copyOf(faults);
        all.keySet().forEach(this::addWithAncestors);
    }

    /** Decides the reply to a question for {@code qname} and {@code qtype}, class IN. */
    Resolution resolve(Name qname, int qtype) {
        Optional<Fault> fault = faultFor(qname);
        if (fault.isPresent()) {
            return switch (fault.get()) {
                case SERVFAIL -> Resolution.Answer.error(Rcode.SERVFAIL);
                case REFUSED -> Resolution.Answer.error(Rcode.REFUSED);
                case SILENT -> new Resolution.Silence();
            };
        }
        Optional<Name> apex = apexOf(qname);
        if (apex.isEmpty()) {
            // RFC 1035 §4.1.1: REFUSED when the server will not answer, here because it holds no zone.
            return Resolution.Answer.error(Rcode.REFUSED);
        }
        return answerWithinZones(qname, qtype, apex.get());
    }

    /** RFC 1034 §4.3.2 step 3, following CNAMEs into any served zone. */
    private Resolution.Answer answerWithinZones(Name qname, int qtype, Name apex) {
        List<Record> answer = new ArrayList<>();
        Set<Name> visited = new HashSet<>();
        Name current = qname;
        Name currentApex = apex;
        while (true) {
            List<Record> atName = records.getOrDefault(current, List.of());
            List<Record> matching = atName.stream().filter(r -> matches(r, qtype)).toList();
            if (!matching.isEmpty()) {
                answer.addAll(matching);
                return new Resolution.Answer(Rcode.NOERROR, true, answer, List.of());
            }
            Optional<Record> cname = atName.stream().filter(r -> r.getType() == Type.CNAME).findFirst();
            if (cname.isEmpty()) {
                return negative(answer, current, currentApex);
            }
            answer.add(cname.get());
            visited.add(current);
            Name target = ((CNAMERecord) cname.get()).getTarget();
            Optional<Name> targetApex = apexOf(target);
            boolean stop =
                    visited.contains(target)
                            || visited.size() >= MAX_CNAME_CHAIN
                            || faultFor(target).isPresent()
                            || targetApex.isEmpty();
            if (stop) {
                // The resolver continues from the last target itself (RFC 1034 §3.6.2); a loop ends here.
                return new Resolution.Answer(Rcode.NOERROR, true, answer, List.of());
            }
            current = target;
            currentApex = targetApex.get();
        }
    }

    /**
     * NODATA or NXDOMAIN with the zone's SOA in authority (RFC 2308 §2.1, §2.2). After a CNAME the
     * rcode describes the last name of the chain (RFC 6604 §2.1).
     */
    private Resolution.Answer negative(List<Record> answer, Name name, Name apex) {
        int rcode = existingNames.contains(name) ? Rcode.NOERROR : Rcode.NXDOMAIN;
        return new Resolution.Answer(rcode, true, answer, List.of(negativeSoa(apex)));
    }

    /** RFC 2308 §3: the SOA's TTL in a negative answer is the lesser of its TTL and its MINIMUM. */
    private SOARecord negativeSoa(Name apex) {
        SOARecord soa =
                records.get(apex).stream()
                        .filter(SOARecord.class::isInstance)
                        .map(SOARecord.class::cast)
                        .findFirst()
                        .orElseThrow();
        long ttl = Math.min(soa.getTTL(), soa.getMinimum());
        return new SOARecord(
                soa.getName(), soa.getDClass(), ttl, soa.getHost(), soa.getAdmin(), soa.getSerial(),
                soa.getRefresh(), soa.getRetry(), soa.getExpire(), soa.getMinimum());
    }

    private static boolean matches(Record record, int qtype) {
        return qtype == Type.ANY || record.getType() == qtype;
    }

    private Optional<Fault> faultFor(Name name) {
        return Names.closestEnclosing(name, faults::containsKey).map(faults::get);
    }

    private Optional<Name> apexOf(Name name) {
        return Names.closestEnclosing(name, apexes::contains);
    }

    private void addWithAncestors(Name owner) {
        for (int strip = 0; strip < owner.labels(); strip++) {
            existingNames.add(strip == 0 ? owner : new Name(owner, strip));
        }
    }

    private static SOARecord synthesizedSoa(Name apex) {
        long negativeTtl = SandboxZones.NEGATIVE_TTL;
        return new SOARecord(
                apex, DClass.IN, negativeTtl, nameServer(apex), child("hostmaster", apex), 1, 3600, 600,
                86400, negativeTtl);
    }

    private static Name nameServer(Name apex) {
        return child("ns", apex);
    }

    /** {@code label.apex}, or the apex itself if that name would be too long (RFC 1035 §2.3.4). */
    private static Name child(String label, Name apex) {
        try {
            return Name.concatenate(Name.fromConstantString(label), apex);
        } catch (NameTooLongException e) {
            return apex;
        }
    }
}
