package dev.directmx.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MailboxTest {

    @Test
    void parsesNameAngleAddress() throws Exception {
        Mailbox mailbox = Mailbox.parse("Sender Name <sender@example.com>", "from");

        assertThat(mailbox).isEqualTo(new Mailbox("sender", "example.com", "Sender Name"));
    }

    @Test
    void parsesBareAndAngleAddresses() throws Exception {
        assertThat(Mailbox.parse("<a@example.com>", "to[0]")).isEqualTo(new Mailbox("a", "example.com", null));
        assertThat(Mailbox.parse("a@example.com", "to[0]")).isEqualTo(new Mailbox("a", "example.com", null));
    }

    @Test
    void decodesEncodedWordDisplayName() throws Exception {
        assertThat(Mailbox.parse("=?UTF-8?B?SsO2cmc=?= <j@example.de>", "from").displayName()).isEqualTo("Jörg");
    }

    @Test
    void lowerCasesDomainButKeepsLocalPartCase() throws Exception {
        Mailbox mailbox = Mailbox.parse("John.Smith@Example.COM", "to[0]");

        assertThat(mailbox.localPart()).isEqualTo("John.Smith");
        assertThat(mailbox.domain()).isEqualTo("example.com");
    }

    @Test
    void rejectsDoubleAtAddressNamingIt() {
        assertThatThrownBy(() -> Mailbox.parse("because@i-can@example.com", "to[0]"))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("to[0]");
                    assertThat(e.getMessage())
                            .startsWith("to[0]: 'because@i-can@example.com' is not a valid address (Angus: ")
                            .endsWith("write it as local@domain or Name <local@domain>");
                });
    }

    @Test
    void rejectsAddressWithoutDomain() {
        assertThatThrownBy(() -> Mailbox.parse("bob", "from"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessage("from: 'bob' has no domain; directmx delivers over the Internet, so write it as"
                        + " local@domain or Name <local@domain>");
    }

    @Test
    void rejectsSingleLabelDomain() {
        assertThatThrownBy(() -> Mailbox.parse("root@localhost", "to[0]"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("'localhost', which has no dot");
    }

    @Test
    void rejectsDomainThatIsNotAValidALabel() {
        assertThatThrownBy(() -> Mailbox.parse("a@-bad.example", "to[0]"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("not a valid domain name (IDN: ");
    }

    @Test
    void rejectsAddressLiteral() {
        assertThatThrownBy(() -> Mailbox.parse("a@[192.0.2.1]", "to[0]"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("address literal");
    }

    @Test
    void rejectsLocalPartOverSixtyFourOctets() {
        assertThatThrownBy(() -> Mailbox.parse("a".repeat(65) + "@example.com", "to[0]"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("65 octets");
    }

    @Test
    void rejectsGroupForSingleAddressField() {
        assertThatThrownBy(() -> Mailbox.parse("undisclosed-recipients:;", "from"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("is a group, but this field takes exactly one address");
    }

    @Test
    void rejectsTextAfterAngleAddressThatAngusWouldDrop() {
        assertThatThrownBy(() -> Mailbox.parse("<a@example.com> b@example.com", "to[0]"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("has text after the address");
        assertThatThrownBy(() -> Mailbox.parseList("<a@example.com> b@example.com", "to[0]"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("has text after the address");
    }

    @Test
    void allowsCommentAfterAngleAddress() throws Exception {
        assertThat(Mailbox.parse("Ann <a@example.com> (work)", "to[0]").address()).isEqualTo("a@example.com");
    }

    @Test
    void newlineInAddressIsRejectedAsInjection() {
        assertThatThrownBy(() -> Mailbox.parse("a@example.com\r\nBcc: victim@example.org", "to[0]"))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("to[0]");
                    assertThat(e.getMessage()).contains("line break").contains("header injection");
                });
    }

    @Test
    void idnDomainBecomesALabel() throws Exception {
        Mailbox mailbox = Mailbox.parse("user@bücher.example", "to[0]");

        assertThat(mailbox.domain()).isEqualTo("bücher.example");
        assertThat(mailbox.asciiDomain()).isEqualTo("xn--bcher-kva.example");
        assertThat(mailbox.needsSmtpUtf8()).isFalse();
        assertThat(mailbox.envelopeAddress()).isEqualTo("user@xn--bcher-kva.example");
        assertThat(mailbox.address()).isEqualTo("user@bücher.example");
    }

    @Test
    void nonAsciiLocalPartNeedsSmtpUtf8() throws Exception {
        Mailbox mailbox = Mailbox.parse("jörg@bücher.example", "to[0]");

        assertThat(mailbox.needsSmtpUtf8()).isTrue();
        assertThat(mailbox.envelopeAddress()).isEqualTo("jörg@bücher.example");
        assertThat(Mailbox.parse("jörg@example.de", "to[0]").needsSmtpUtf8()).isTrue();
    }

    @Test
    void javaIdnIsIdna2003AndFoldsSharpS() throws Exception {
        // Documented, not desired: IDNA2008 would give xn--strae-oqa.de.
        assertThat(Mailbox.parse("a@straße.de", "to[0]").asciiDomain()).isEqualTo("strasse.de");
    }

    @Test
    void undisclosedRecipientsIsAGroupWithNoRecipients() throws Exception {
        assertThat(Mailbox.parseList("undisclosed-recipients:;", "to[0]")).isEmpty();
    }

    @Test
    void groupContributesItsMembers() throws Exception {
        assertThat(Mailbox.parseList("Team: a@example.com, Bob <b@example.org>;", "to[0]"))
                .extracting(Mailbox::address)
                .containsExactly("a@example.com", "b@example.org");
    }

    @Test
    void parseListReadsSeveralAddresses() throws Exception {
        assertThat(Mailbox.parseList("a@example.com, \"Smith, J\" <j@example.net>", "to[0]"))
                .containsExactly(new Mailbox("a", "example.com", null), new Mailbox("j", "example.net", "Smith, J"));
    }

    @Test
    void parseListValidatesEachMember() {
        // Angus's parseHeader accepts "bob"; the member check must not.
        assertThatThrownBy(() -> Mailbox.parseList("a@example.com, bob", "cc[0]"))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.field()).isEqualTo("cc[0]");
                    assertThat(e.getMessage()).contains("'bob' has no domain");
                });
        assertThatThrownBy(() -> Mailbox.parseList("Team: a@example.com, bob;", "cc[0]"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("'bob' has no domain");
    }

    @Test
    void emptyAddressIsRejected() {
        assertThatThrownBy(() -> Mailbox.parse(" ", "from"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageStartingWith("from: is empty");
        assertThatThrownBy(() -> Mailbox.parse(null, "from"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageStartingWith("from: is null");
    }

    @Test
    void encodedDisplayNameHidingALineBreakIsRejected() {
        // "=?UTF-8?B?QQ0KQg==?=" decodes to "A\r\nB".
        assertThatThrownBy(() -> Mailbox.parse("=?UTF-8?B?QQ0KQg==?= <a@example.com>", "from"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("display name");
    }
}
