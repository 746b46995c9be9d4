package dev.directmx.sandbox.dns;

import dev.directmx.sandbox.dns.ReceivedQuery.Transport;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns one query packet into the bytes of its reply, or into no reply. Knows DNS messages, EDNS
 * and truncation, but no sockets: the transports in {@link ZoneDnsServer} call it. Stateless apart
 * from the query log it reports to; safe to share between threads.
 */
final class QueryHandler {

    /** RFC 1035 §4.2.1: a UDP reply to a client without EDNS holds at most 512 bytes. */
    static final int CLASSIC_UDP_LIMIT = 512;

    /**
     * The UDP payload this server advertises and sends at most, whatever larger size a client offers
     * (RFC 6891 §6.2.5). The default value is 1232 bytes, the size DNS Flag Day 2020 settled on to
     * avoid IP fragmentation.
     */
    static final int EDNS_PAYLOAD_SIZE = 1232;

    /** RFC 1035 §4.2.2: the two-byte length prefix bounds a TCP message. */
    static final int TCP_LIMIT = 65_535;

    /** RFC 6891 §9: the extended rcode for an EDNS version this server does not speak. */
    private static final int BADVERS = 16;

    private final Authority authority;
    private final Consumer<ReceivedQuery> queryLog;

    QueryHandler(Authority authority, Consumer<ReceivedQuery> queryLog) {
        this.authority = authority;
        this.queryLog = queryLog;
    }

    /** The reply to {@code packet}; empty when the server should send nothing. */
    Optional<byte[]> respond(byte[] packet, Transport transport) {
        Message query;
        try {
            query = new Message(packet);
        } catch (IOException | RuntimeException e) {
            // The packet is untrusted input, and dnsjava rejects some malformed rdata with unchecked
            // exceptions. RFC 1035 §4.1.1: FORMERR when the header can be read, so the client stops.
            return formatError(packet);
        }
        if (query.getHeader().getFlag(Flags.QR)) {
            return Optional.empty(); // A response sent to us: answering it could start a loop.
        }
        Optional<Message> reply = reply(query, transport);
        return reply.map(message -> message.toWire(sizeLimit(query, transport)));
    }

    private Optional<Message> reply(Message query, Transport transport) {
        Record question = query.getQuestion();
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            return Optional.of(bare(query, Rcode.NOTIMP));
        }
        if (question == null || query.getHeader().getCount(Section.QUESTION) != 1) {
            return Optional.of(bare(query, Rcode.FORMERR));
        }
        queryLog.accept(new ReceivedQuery(question.getName(), question.getType(), transport));
        OPTRecord opt = query.getOPT();
        if (opt != null && opt.getVersion() != 0) {
            return Optional.of(bare(query, BADVERS));
        }
        if (question.getDClass() != DClass.IN || isZoneTransfer(question.getType())) {
            return Optional.of(bare(query, Rcode.REFUSED));
        }
        return switch (authority.resolve(question.getName(), question.getType())) {
            case Resolution.Silence silence -> Optional.empty();
            case Resolution.Answer answer -> Optional.of(withAnswer(bare(query, answer.rcode()), answer));
        };
    }

    private static Message withAnswer(Message reply, Resolution.Answer answer) {
        if (answer.authoritative()) {
            reply.getHeader().setFlag(Flags.AA);
        }
        answer.answer().forEach(record -> reply.addRecord(record, Section.ANSWER));
        answer.authority().forEach(record -> reply.addRecord(record, Section.AUTHORITY));
        return reply;
    }

    /**
     * A reply that echoes the query's id, RD bit and question (RFC 1035 §4.1.1), with OPT when the
     * query had one (RFC 6891 §6.1.1). Rcodes above 15 go in OPT's extended-rcode field.
     */
    private static Message bare(Message query, int rcode) {
        Message reply = new Message(query.getHeader().getID());
        Header header = reply.getHeader();
        header.setFlag(Flags.QR);
        header.setOpcode(query.getHeader().getOpcode());
        if (query.getHeader().getFlag(Flags.RD)) {
            header.setFlag(Flags.RD);
        }
        header.setRcode(rcode & 0xF);
        if (query.getQuestion() != null) {
            reply.addRecord(query.getQuestion(), Section.QUESTION);
        }
        if (query.getOPT() != null) {
            reply.addRecord(new OPTRecord(EDNS_PAYLOAD_SIZE, rcode >>> 4, 0), Section.ADDITIONAL);
        }
        return reply;
    }

    private static Optional<byte[]> formatError(byte[] packet) {
        if (packet.length < Header.LENGTH || (packet[2] & 0x80) != 0) {
            return Optional.empty(); // No header to answer, or a response: ignore it.
        }
        Header header = new Header(((packet[0] & 0xFF) << 8) | (packet[1] & 0xFF));
        header.setFlag(Flags.QR);
        header.setRcode(Rcode.FORMERR);
        return Optional.of(header.toWire());
    }

    /** UDP: 512 bytes, or the client's EDNS payload capped at ours; TCP: the framing's limit. */
    private static int sizeLimit(Message query, Transport transport) {
        if (transport == Transport.TCP) {
            return TCP_LIMIT;
        }
        OPTRecord opt = query.getOPT();
        if (opt == null) {
            return CLASSIC_UDP_LIMIT;
        }
        // RFC 6891 §6.2.5: payload sizes below 512 are treated as 512.
        return Math.max(CLASSIC_UDP_LIMIT, Math.min(opt.getPayloadSize(), EDNS_PAYLOAD_SIZE));
    }

    private static boolean isZoneTransfer(int type) {
        return type == Type.AXFR || type == Type.IXFR;
    }
}
