package dev.directmx.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpReplyTest {

    @Test
    void enhancedCodeIsParsedAndRemovedFromText() {
        SmtpReply reply = SmtpReply.fromWire("RCPT", 550, List.of("5.1.1 <bob@example.net>: user unknown"));

        assertThat(reply.enhancedCode()).isEqualTo("5.1.1");
        assertThat(reply.text()).isEqualTo("<bob@example.net>: user unknown");
        assertThat(reply.isPermanent()).isTrue();
        assertThat(reply.local()).isFalse();
    }

    @Test
    void enhancedCodeWhoseClassDisagreesWithTheReplyIsText() {
        // RFC 2034 §4: the class digit must match; "2.0.0" on a 550 is just text.
        SmtpReply reply = SmtpReply.fromWire("MAIL", 550, List.of("2.0.0 odd"));

        assertThat(reply.enhancedCode()).isNull();
        assertThat(reply.text()).isEqualTo("2.0.0 odd");
    }

    @Test
    void replyWithoutEnhancedCodeKeepsItsText() {
        SmtpReply reply = SmtpReply.fromWire("connect", 220, List.of("mx.example.net ESMTP Postfix"));

        assertThat(reply.enhancedCode()).isNull();
        assertThat(reply.text()).isEqualTo("mx.example.net ESMTP Postfix");
        assertThat(reply).hasToString("220 mx.example.net ESMTP Postfix");
    }

    @Test
    void multiLineRepliesStripTheCodeFromEveryLine() {
        SmtpReply reply = SmtpReply.fromWire("end of data", 452,
                List.of("4.2.2 mailbox full", "4.2.2 try again later"));

        assertThat(reply.lines()).containsExactly("mailbox full", "try again later");
        assertThat(reply.isTransient()).isTrue();
        assertThat(reply).hasToString("452 4.2.2 mailbox full try again later");
    }

    @Test
    void localRepliesAreMarkedAsDirectmxsOwn() {
        SmtpReply reply = SmtpReply.local(553, "5.6.7", "MAIL", "needs SMTPUTF8");

        assertThat(reply.local()).isTrue();
        assertThat(reply.isPermanent()).isTrue();
    }
}
