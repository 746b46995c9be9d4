package dev.directmx.sandbox.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.directmx.sandbox.dns.ReceivedQuery.Transport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Message-level rules of the server, checked on bytes without any socket. */
class QueryHandlerTest {

    private final List<ReceivedQuery> log = new ArrayList<>();
    private final QueryHandler handler =
            new QueryHandler(
                    new SandboxZones().mx("example.net", 10, "mx1.example.net").authority(), log::add);

    @Test
    void replyEchoesIdQuestionAndRecursionDesired() throws IOException {
        Message query = query("example.net", Type.MX, DClass.IN);

        Message reply = reply(query.toWire(), Transport.UDP);

        assertThat(reply.getHeader().getID()).isEqualTo(query.getHeader().getID());
        assertThat(reply.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(reply.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(reply.getHeader().getFlag(Flags.RA)).isFalse();
        assertThat(reply.getQuestion()).isEqualTo(query.getQuestion());
        assertThat(log).containsExactly(
                new ReceivedQuery(Names.parse("example.net"), Type.MX, Transport.UDP));
    }

    @Test
    void responsesSentToTheServerAreIgnored() {
        Message response = query("example.net", Type.MX, DClass.IN);
        response.getHeader().setFlag(Flags.QR);

        assertThat(handler.respond(response.toWire(), Transport.UDP)).isEmpty();
        assertThat(handler.respond(new byte[] {0, 1, (byte) 0x80, 0, 0, 1}, Transport.UDP)).isEmpty();
    }

    @Test
    void otherOpcodesAnswerNotImplemented() throws IOException {
        Message notify = query("example.net", Type.SOA, DClass.IN);
        notify.getHeader().setOpcode(Opcode.NOTIFY);

        assertThat(reply(notify.toWire(), Transport.UDP).getRcode()).isEqualTo(Rcode.NOTIMP);
    }

    @Test
    void queryWithTwoQuestionsIsFormerr() throws IOException {
        Message query = query("example.net", Type.MX, DClass.IN);
        query.addRecord(Record.newRecord(Names.parse("example.net"), Type.A, DClass.IN), 0);

        assertThat(reply(query.toWire(), Transport.UDP).getRcode()).isEqualTo(Rcode.FORMERR);
    }

    @Test
    void otherClassesAndZoneTransfersAreRefused() throws IOException {
        byte[] chaos = query("version.bind", Type.TXT, DClass.CH).toWire();
        byte[] axfr = query("example.net", Type.AXFR, DClass.IN).toWire();

        assertThat(reply(chaos, Transport.UDP).getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(reply(axfr, Transport.TCP).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void damagedQueriesNeverThrowAndEveryReplyParses() throws IOException {
        byte[] valid = query("mx1.example.net", Type.A, DClass.IN).toWire();
        Random random = new Random(20240101); // Fixed seed: a failure can be replayed.
        for (int round = 0; round < 5_000; round++) {
            byte[] damaged = damage(valid, random);

            Optional<byte[]> reply = handler.respond(damaged, Transport.UDP);

            if (reply.isPresent()) {
                assertThat(new Message(reply.get()).getHeader().getFlag(Flags.QR)).isTrue();
            }
        }
    }

    /** Flips bytes, cuts the end off, or both. */
    private static byte[] damage(byte[] valid, Random random) {
        byte[] copy = valid.clone();
        for (int flips = random.nextInt(4); flips >= 0; flips--) {
            copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        int length = random.nextBoolean() ? copy.length : random.nextInt(copy.length + 1);
        return Arrays.copyOf(copy, length);
    }

    private Message reply(byte[] query, Transport transport) throws IOException {
        return new Message(handler.respond(query, transport).orElseThrow());
    }

    private static Message query(String name, int type, int dclass) {
        Message query = Message.newQuery(Record.newRecord(Names.parse(name), type, dclass));
        assertThat(query.getHeader().getCount(Section.QUESTION)).isEqualTo(1);
        return query;
    }
}
