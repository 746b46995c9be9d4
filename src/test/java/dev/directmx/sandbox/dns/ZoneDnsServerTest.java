package dev.directmx.sandbox.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.directmx.sandbox.dns.ReceivedQuery.Transport;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** The server on the wire, queried with dnsjava's {@link SimpleResolver} and raw sockets. */
class ZoneDnsServerTest {

    /** Long enough for loopback, short enough that a lost reply fails the test quickly. */
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    /** 40 A records: about 680 bytes, over the 512 of plain UDP and under the EDNS 1232. */
    private static final int MANY = 40;

    private static ZoneDnsServer server;

    @BeforeAll
    static void startServer() throws IOException {
        SandboxZones zones =
                new SandboxZones()
                        .mx("example.net", 10, "mx1.example.net")
                        .mx("example.net", 20, "mx2.example.net")
                        .a("mx1.example.net", "127.0.0.2")
                        .a("mx2.example.net", "127.0.0.3")
                        .aaaa("mx6.example.net", "::1")
                        .cname("alias.example.net", "mx1.example.net")
                        .nullMx("nullmx.example")
                        .txt("example.net", "v=spf1 -all")
                        .servfail("broken.example")
                        .refused("refused.example")
                        .silent("slow.example")
                        .zone("empty.example");
        for (int i = 1; i <= MANY; i++) {
            zones.a("many.example.net", "127.0.1." + i);
        }
        server = ZoneDnsServer.start(zones);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void mxAnswerListsBothPreferencesWithAuthoritativeFlag() throws IOException {
        Message reply = query("example.net", Type.MX);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(answers(reply, MXRecord.class))
                .extracting(MXRecord::getPriority, mx -> mx.getTarget().toString())
                .containsExactlyInAnyOrder(
                        tuple(10, "mx1.example.net."),
                        tuple(20, "mx2.example.net."));
    }

    @Test
    void addressAnswersOverTcpOnTheUdpPort() throws IOException {
        SimpleResolver resolver = resolver();
        resolver.setTCP(true);

        Message reply = resolver.send(question("mx1.example.net", Type.A));

        assertThat(answers(reply, ARecord.class))
                .extracting(a -> a.getAddress().getHostAddress())
                .containsExactly("127.0.0.2");
        assertThat(server.queries())
                .contains(new ReceivedQuery(name("mx1.example.net"), Type.A, Transport.TCP));
    }

    @Test
    void aaaaAnswersTheIpv6Address() throws IOException {
        assertThat(answers(query("mx6.example.net", Type.AAAA), AAAARecord.class))
                .extracting(aaaa -> aaaa.getAddress().getHostAddress())
                .containsExactly("0:0:0:0:0:0:0:1");
    }

    @Test
    void nodataAnswersNoErrorWithSoaInAuthority() throws IOException {
        Message reply = query("example.net", Type.A);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(reply.getSection(Section.ANSWER)).isEmpty();
        assertThat(reply.getSection(Section.AUTHORITY))
                .singleElement()
                .isInstanceOfSatisfying(
                        SOARecord.class, soa -> assertThat(soa.getName()).isEqualTo(name("example.net")));
    }

    @Test
    void unknownNameAnswersNxdomainWithSoaInAuthority() throws IOException {
        Message reply = query("nosuch.example.net", Type.MX);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(reply.getSection(Section.ANSWER)).isEmpty();
        assertThat(reply.getSection(Section.AUTHORITY))
                .singleElement()
                .isInstanceOfSatisfying(
                        SOARecord.class,
                        soa -> assertThat(soa.getTTL()).isEqualTo(SandboxZones.NEGATIVE_TTL));
    }

    @Test
    void emptyZoneAnswersNodataAtApexAndNxdomainBelow() throws IOException {
        assertThat(query("empty.example", Type.SOA).getSection(Section.ANSWER))
                .singleElement()
                .isInstanceOf(SOARecord.class);
        assertThat(query("empty.example", Type.MX).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(query("empty.example", Type.MX).getSection(Section.ANSWER)).isEmpty();
        assertThat(query("www.empty.example", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void servfailNameAndNamesUnderItAnswerServfail() throws IOException {
        assertThat(query("broken.example", Type.MX).getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(query("mx.broken.example", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
    }

    @Test
    void refusedNameAnswersRefused() throws IOException {
        assertThat(query("refused.example", Type.MX).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void nameOutsideServedZonesIsRefusedWithoutAuthority() throws IOException {
        Message reply = query("example.org", Type.MX);

        assertThat(reply.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(reply.getHeader().getFlag(Flags.AA)).isFalse();
    }

    @Test
    void silentNameNeverAnswersSoTheClientTimesOut() {
        SimpleResolver resolver = resolver();
        resolver.setTimeout(Duration.ofMillis(300));

        assertThatThrownBy(() -> resolver.send(question("mx.slow.example", Type.MX)))
                .isInstanceOf(IOException.class);
        assertThat(server.queries())
                .contains(new ReceivedQuery(name("mx.slow.example"), Type.MX, Transport.UDP));
    }

    @Test
    void nullMxAnswersPreferenceZeroAndRootTarget() throws IOException {
        assertThat(answers(query("nullmx.example", Type.MX), MXRecord.class))
                .singleElement()
                .satisfies(
                        mx -> {
                            assertThat(mx.getPriority()).isZero();
                            assertThat(mx.getTarget()).isEqualTo(Name.root);
                        });
    }

    @Test
    void cnameIsAnsweredWithItsTargetsRecords() throws IOException {
        Message reply = query("alias.example.net", Type.A);

        assertThat(reply.getSection(Section.ANSWER))
                .extracting(Record::getName, Record::getType)
                .containsExactly(
                        tuple(name("alias.example.net"), Type.CNAME),
                        tuple(name("mx1.example.net"), Type.A));
        assertThat(((CNAMERecord) reply.getSection(Section.ANSWER).get(0)).getTarget())
                .isEqualTo(name("mx1.example.net"));
    }

    @Test
    void cnameQueryAnswersTheCnameItself() throws IOException {
        assertThat(query("alias.example.net", Type.CNAME).getSection(Section.ANSWER))
                .singleElement()
                .isInstanceOf(CNAMERecord.class);
    }

    @Test
    void largeAnswerOverUdpWithoutEdnsSetsTruncationAndTcpCarriesItAll() throws IOException {
        SimpleResolver udp = resolver();
        udp.setEDNS(-1);
        udp.setIgnoreTruncation(true);
        SimpleResolver tcp = resolver();
        tcp.setEDNS(-1);
        tcp.setTCP(true);

        Message truncated = udp.send(question("many.example.net", Type.A));
        Message whole = tcp.send(question("many.example.net", Type.A));

        assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(truncated.numBytes()).isLessThanOrEqualTo(QueryHandler.CLASSIC_UDP_LIMIT);
        assertThat(whole.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(whole.getSection(Section.ANSWER)).hasSize(MANY);
    }

    @Test
    void ednsPayloadSizeLetsLargeAnswerFitInUdp() throws IOException {
        SimpleResolver resolver = resolver();
        resolver.setIgnoreTruncation(true); // EDNS with dnsjava's default payload of 1280 bytes.

        Message reply = resolver.send(question("many.example.net", Type.A));

        assertThat(reply.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(reply.getSection(Section.ANSWER)).hasSize(MANY);
        assertThat(reply.getOPT()).isNotNull();
        assertThat(reply.getOPT().getPayloadSize()).isEqualTo(QueryHandler.EDNS_PAYLOAD_SIZE);
    }

    @Test
    void unknownEdnsVersionAnswersBadvers() throws IOException {
        Message query = question("example.net", Type.MX);
        query.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);

        Message reply = resolver().send(query);

        assertThat(reply.getRcode()).isEqualTo(16); // RFC 6891 §9 BADVERS
        assertThat(reply.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void namesAreMatchedCaseInsensitively() throws IOException {
        Message reply = query("Example.NET", Type.TXT);

        assertThat(reply.getQuestion().getName().toString()).isEqualTo("Example.NET.");
        assertThat(answers(reply, TXTRecord.class))
                .singleElement()
                .extracting(TXTRecord::getStrings)
                .isEqualTo(List.of("v=spf1 -all"));
    }

    @Test
    void tcpConnectionCarriesSeveralQueriesInOrder() throws IOException {
        try (Socket socket = new Socket(server.address().getAddress(), server.address().getPort())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            var out = new DataOutputStream(socket.getOutputStream());
            var in = new DataInputStream(socket.getInputStream());
            for (String host : List.of("mx1.example.net", "mx2.example.net")) {
                byte[] wire = question(host, Type.A).toWire();
                out.writeShort(wire.length);
                out.write(wire);
            }
            out.flush();

            Message first = new Message(in.readNBytes(in.readUnsignedShort()));
            Message second = new Message(in.readNBytes(in.readUnsignedShort()));

            assertThat(first.getQuestion().getName()).isEqualTo(name("mx1.example.net"));
            assertThat(second.getQuestion().getName()).isEqualTo(name("mx2.example.net"));
            assertThat(second.getSection(Section.ANSWER)).hasSize(1);
        }
    }

    @Test
    void malformedUdpPacketsAreAnsweredFormerrOrIgnoredAndServingContinues() throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(server.address());
            socket.setSoTimeout(200);
            // A header that promises one question and carries none.
            byte[] headerOnly = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};

            socket.send(new DatagramPacket(new byte[] {1, 2, 3}, 3));
            socket.send(new DatagramPacket(headerOnly, headerOnly.length));
            Message formerr = receive(socket);

            assertThat(formerr.getHeader().getID()).isEqualTo(0x1234);
            assertThat(formerr.getRcode()).isEqualTo(Rcode.FORMERR);
            assertThat(formerr.getHeader().getFlag(Flags.QR)).isTrue();
        }
        assertThat(query("example.net", Type.MX).getSection(Section.ANSWER)).hasSize(2);
    }

    @Test
    void malformedTcpMessageIsAnsweredFormerrAndTheConnectionStaysUsable() throws IOException {
        try (Socket socket = new Socket(server.address().getAddress(), server.address().getPort())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            var out = new DataOutputStream(socket.getOutputStream());
            var in = new DataInputStream(socket.getInputStream());
            byte[] garbage = {0x00, 0x07, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 7, 'x'};
            byte[] good = question("mx1.example.net", Type.A).toWire();
            out.writeShort(garbage.length);
            out.write(garbage);
            out.writeShort(good.length);
            out.write(good);
            out.flush();

            Message formerr = new Message(in.readNBytes(in.readUnsignedShort()));
            Message answer = new Message(in.readNBytes(in.readUnsignedShort()));

            assertThat(formerr.getRcode()).isEqualTo(Rcode.FORMERR);
            assertThat(answer.getSection(Section.ANSWER)).hasSize(1);
        }
    }

    @Test
    void zoneFileTextIsServedWithItsOwnSoa() throws IOException {
        String zoneFile =
                """
                $TTL 600
                @        IN SOA ns1.example.com. hostmaster.example.com. 2024010101 3600 900 604800 120
                @        IN NS  ns1
                @        IN MX  10 mail
                mail     IN A   127.0.0.5
                www      IN CNAME mail
                """;
        try (ZoneDnsServer fromFile =
                ZoneDnsServer.start(SandboxZones.parse(zoneFile, "example.com"))) {
            SimpleResolver resolver = new SimpleResolver(fromFile.address());
            resolver.setTimeout(TIMEOUT);

            Message mx = resolver.send(question("example.com", Type.MX));
            Message www = resolver.send(question("www.example.com", Type.A));
            Message nodata = resolver.send(question("mail.example.com", Type.AAAA));

            assertThat(answers(mx, MXRecord.class))
                    .singleElement()
                    .satisfies(record -> assertThat(record.getTarget()).isEqualTo(name("mail.example.com")));
            assertThat(answers(www, ARecord.class))
                    .extracting(a -> a.getAddress().getHostAddress())
                    .containsExactly("127.0.0.5");
            assertThat(nodata.getSection(Section.AUTHORITY))
                    .singleElement()
                    .isInstanceOfSatisfying(
                            SOARecord.class,
                            soa -> {
                                assertThat(soa.getSerial()).isEqualTo(2024010101L);
                                assertThat(soa.getTTL()).isEqualTo(120); // RFC 2308 §3: min(TTL, MINIMUM)
                            });
        }
    }

    @Test
    void queriesRecordNameTypeAndTransportInArrivalOrder() throws IOException {
        try (ZoneDnsServer fresh = ZoneDnsServer.start(new SandboxZones().zone("example.net"))) {
            SimpleResolver udp = new SimpleResolver(fresh.address());
            SimpleResolver tcp = new SimpleResolver(fresh.address());
            tcp.setTCP(true);

            udp.send(question("example.net", Type.MX));
            tcp.send(question("www.example.net", Type.AAAA));

            assertThat(fresh.queries())
                    .containsExactly(
                            new ReceivedQuery(name("example.net"), Type.MX, Transport.UDP),
                            new ReceivedQuery(name("www.example.net"), Type.AAAA, Transport.TCP));
        }
    }

    @Test
    void closeEndsOpenConnectionsAndFreesTheUdpAndTcpPort() throws IOException {
        ZoneDnsServer closing = ZoneDnsServer.start(new SandboxZones().zone("example.net"));
        int port = closing.address().getPort();
        assertThat(closing.hostPort()).isEqualTo("127.0.0.1:" + port);
        try (Socket open = new Socket(closing.address().getAddress(), port)) {
            open.setSoTimeout((int) TIMEOUT.toMillis());
            var out = new DataOutputStream(open.getOutputStream());
            var in = new DataInputStream(open.getInputStream());
            byte[] wire = question("example.net", Type.SOA).toWire();
            out.writeShort(wire.length);
            out.write(wire);
            out.flush();
            in.readNBytes(in.readUnsignedShort()); // The connection is being served.

            closing.close();
            closing.close(); // Idempotent.

            assertThat(in.read()).isEqualTo(-1); // The server closed its side.
        }
        try (DatagramSocket udp = new DatagramSocket(closing.address());
                ServerSocket tcp = new ServerSocket(port, 1, closing.address().getAddress())) {
            assertThat(udp.getLocalPort()).isEqualTo(port);
            assertThat(tcp.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void servesOnIpv6LoopbackWhenAsked() throws IOException {
        InetAddress ipv6Loopback = InetAddress.getByName("::1"); // A literal: no lookup.
        assumeTrue(canBind(ipv6Loopback), "this host has no ::1");
        InetSocketAddress bind = new InetSocketAddress(ipv6Loopback, 0);

        try (ZoneDnsServer v6 = ZoneDnsServer.start(new SandboxZones().zone("example.net"), bind)) {
            SimpleResolver resolver = new SimpleResolver(v6.address());
            resolver.setTimeout(TIMEOUT);

            assertThat(v6.hostPort()).isEqualTo("[0:0:0:0:0:0:0:1]:" + v6.address().getPort());
            assertThat(resolver.send(question("example.net", Type.SOA)).getSection(Section.ANSWER))
                    .hasSize(1);
        }
    }

    private static boolean canBind(InetAddress address) {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(address, 0))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Message query(String host, int type) throws IOException {
        return resolver().send(question(host, type));
    }

    private static SimpleResolver resolver() {
        SimpleResolver resolver = new SimpleResolver(server.address());
        resolver.setTimeout(TIMEOUT);
        return resolver;
    }

    private static Message question(String host, int type) {
        return Message.newQuery(Record.newRecord(name(host), type, DClass.IN));
    }

    private static Name name(String host) {
        return Names.parse(host);
    }

    private static <T extends Record> List<T> answers(Message reply, Class<T> type) {
        return reply.getSection(Section.ANSWER).stream()
                .filter(type::isInstance)
                .map(type::cast)
                .toList();
    }

    private static Message receive(DatagramSocket socket) throws IOException {
        byte[] buffer = new byte[QueryHandler.EDNS_PAYLOAD_SIZE];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        return new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
    }
}
