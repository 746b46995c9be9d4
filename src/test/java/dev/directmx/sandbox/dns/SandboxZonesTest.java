package dev.directmx.sandbox.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static java.nio.charset.StandardCharsets.US_ASCII;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** Zone inference and answer rules, checked on the {@link Authority} without any socket. */
class SandboxZonesTest {

    @Test
    void recordJoinsTheClosestKnownZoneElseItsLastTwoLabels() {
        Authority authority =
                new SandboxZones()
                        .zone("sub.example.net")
                        .a("mx.sub.example.net", "127.0.0.2")
                        .a("mx1.example.org", "127.0.0.3")
                        .authority();

        assertThat(soaOwner(answer(authority, "nosuch.sub.example.net", Type.A)))
                .isEqualTo("sub.example.net.");
        assertThat(soaOwner(answer(authority, "nosuch.example.org", Type.A))).isEqualTo("example.org.");
        assertThat(answer(authority, "example.net", Type.SOA).rcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void zoneAddedLaterAnswersForTheNamesUnderIt() {
        Authority authority =
                new SandboxZones().a("mx.sub.example.net", "127.0.0.2").zone("sub.example.net").authority();

        Resolution.Answer answer = answer(authority, "mx.sub.example.net", Type.A);

        assertThat(answer.answer()).hasSize(1);
        assertThat(soaOwner(answer(authority, "x.sub.example.net", Type.A)))
                .isEqualTo("sub.example.net.");
    }

    @Test
    void faultInsideAServedZoneTakesPrecedenceForItsSubtreeOnly() {
        Authority authority =
                new SandboxZones()
                        .mx("example.net", 10, "mx1.example.net")
                        .a("mx1.example.net", "127.0.0.2")
                        .servfail("mx1.example.net")
                        .authority();

        assertThat(answer(authority, "mx1.example.net", Type.A).rcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(answer(authority, "a.mx1.example.net", Type.A).rcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(answer(authority, "example.net", Type.MX).answer()).hasSize(1);
    }

    @Test
    void closestFaultWins() {
        Authority authority =
                new SandboxZones().servfail("a.example").silent("b.a.example").authority();

        assertThat(authority.resolve(Names.parse("c.b.a.example"), Type.A))
                .isInstanceOf(Resolution.Silence.class);
        assertThat(answer(authority, "c.a.example", Type.A).rcode()).isEqualTo(Rcode.SERVFAIL);
    }

    @Test
    void emptyNonTerminalAnswersNodataNotNxdomain() {
        Authority authority = new SandboxZones().a("host.sub.example.net", "127.0.0.2").authority();

        Resolution.Answer answer = answer(authority, "sub.example.net", Type.A);

        assertThat(answer.rcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.answer()).isEmpty();
        assertThat(answer.authority()).singleElement().isInstanceOf(SOARecord.class);
    }

    @Test
    void cnameLoopEndsTheAnswerAfterOneRound() {
        Authority authority =
                new SandboxZones()
                        .cname("a.example.net", "b.example.net")
                        .cname("b.example.net", "a.example.net")
                        .authority();

        Resolution.Answer answer = answer(authority, "a.example.net", Type.A);

        assertThat(answer.rcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.answer()).extracting(Record::getType).containsExactly(Type.CNAME, Type.CNAME);
    }

    @Test
    void cnameChainIsCutAfterTheMaximumLinks() {
        SandboxZones zones = new SandboxZones();
        for (int i = 0; i < 12; i++) {
            zones.cname("c" + i + ".example.net", "c" + (i + 1) + ".example.net");
        }

        Resolution.Answer answer = answer(zones.authority(), "c0.example.net", Type.A);

        assertThat(answer.answer()).hasSize(Authority.MAX_CNAME_CHAIN);
        assertThat(answer.rcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void cnameToMissingNameAnswersTheChainWithNxdomain() {
        Authority authority =
                new SandboxZones().cname("www.example.net", "gone.example.net").authority();

        Resolution.Answer answer = answer(authority, "www.example.net", Type.A);

        assertThat(answer.rcode()).isEqualTo(Rcode.NXDOMAIN); // RFC 6604 §2.1: about the last name
        assertThat(answer.answer()).singleElement().isInstanceOf(CNAMERecord.class);
    }

    @Test
    void cnameOutOfServedZonesAnswersTheCnameAlone() {
        Authority authority =
                new SandboxZones().cname("www.example.net", "cdn.example.org").authority();

        Resolution.Answer answer = answer(authority, "www.example.net", Type.A);

        assertThat(answer.rcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.answer()).singleElement().isInstanceOf(CNAMERecord.class);
        assertThat(answer.authority()).isEmpty();
    }

    @Test
    void longTxtIsSplitInto255ByteStringsAndKeptLiterally() {
        String dkimKey = "v=DKIM1; k=rsa; p=" + "A".repeat(400) + "\\end";
        Authority authority = new SandboxZones().txt("sel._domainkey.example.net", dkimKey).authority();

        TXTRecord txt =
                (TXTRecord) answer(authority, "sel._domainkey.example.net", Type.TXT).answer().get(0);

        List<byte[]> strings = txt.getStringsAsByteArrays();
        assertThat(strings).hasSize(2);
        assertThat(strings.get(0)).hasSize(255);
        String joined = new String(strings.get(0), US_ASCII) + new String(strings.get(1), US_ASCII);
        assertThat(joined).isEqualTo(dkimKey);
    }

    @Test
    void duplicateRecordsAreKeptOnce() {
        Authority authority =
                new SandboxZones()
                        .a("mx.example.net", "127.0.0.2")
                        .a("mx.example.net", "127.0.0.2")
                        .authority();

        assertThat(answer(authority, "mx.example.net", Type.A).answer()).hasSize(1);
    }

    @Test
    void invalidInputIsRejectedWhenConfigured() {
        SandboxZones zones = new SandboxZones();

        assertThatThrownBy(() -> zones.a("mx.example.net", "mx.example.org"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("IPv4 literal");
        assertThatThrownBy(() -> zones.a("mx.example.net", "::1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> zones.aaaa("mx.example.net", "127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> zones.mx("bücher.example", 10, "mx.example.net"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("A-labels");
        assertThatThrownBy(() -> zones.zone("a..example"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idnZoneGivenAsALabelsIsServed() {
        Authority authority =
                new SandboxZones().mx("xn--bcher-kva.example", 10, "mx.example.net").authority();

        assertThat(answer(authority, "XN--BCHER-KVA.example", Type.MX).answer()).hasSize(1);
    }

    @Test
    void zoneFileThatDoesNotParseIsRejected() {
        assertThatThrownBy(() -> SandboxZones.parse("@ IN MX ten mail\n", "example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("example.com");
    }

    @Test
    void zoneFileCannotIncludeOtherFiles() {
        assertThatThrownBy(() -> SandboxZones.parse("$INCLUDE /etc/hostname\n", "example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$INCLUDE");
    }

    private static Resolution.Answer answer(Authority authority, String name, int type) {
        return (Resolution.Answer) authority.resolve(Names.parse(name), type);
    }

    private static String soaOwner(Resolution.Answer answer) {
        List<Record> authority = answer.authority();
        assertThat(authority).singleElement().isInstanceOf(SOARecord.class);
        return authority.get(0).getName().toString();
    }
}
