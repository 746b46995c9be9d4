package dev.directmx.sandbox.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyTest {

    @Test
    void multiLineRepliesGetHyphensOnAllButTheLastLine() {
        Reply reply = Reply.parse("250-mx.example.net\n250 PIPELINING");

        assertThat(reply.code()).isEqualTo(250);
        assertThat(reply.wireLines()).containsExactly("250-mx.example.net", "250 PIPELINING");
        assertThat(new Reply(250, List.of("a", "b", "c")).wireLines()).containsExactly("250-a", "250-b", "250 c");
    }

    @Test
    void repliesThatAreNotSmtpAreRefused() {
        assertThatThrownBy(() -> Reply.parse("OK")).hasMessageContaining("not an SMTP reply line");
        assertThatThrownBy(() -> Reply.parse("199 too low")).hasMessageContaining("not an SMTP reply line");
        assertThatThrownBy(() -> Reply.parse("250 a\r\n250 b")).hasMessageContaining("not an SMTP reply line");
        assertThatThrownBy(() -> Reply.parse("250 a\n550 b")).hasMessageContaining("same code");
    }

    @Test
    void mailPathsAcceptASpaceAfterTheColonAndDropSourceRoutes() {
        MailPath lenient = MailPath.parse("FROM: <a@example.org> BODY=8BITMIME  SIZE=10", "FROM:");
        MailPath routed = MailPath.parse("to:<@relay.example,@b.example:bob@example.net>", "TO:");

        assertThat(lenient).isEqualTo(new MailPath("a@example.org", List.of("BODY=8BITMIME", "SIZE=10")));
        assertThat(lenient.keywords()).containsExactly("BODY", "SIZE");
        assertThat(routed.address()).isEqualTo("bob@example.net");
        assertThat(MailPath.parse("FROM:a@example.org", "FROM:")).isNull();
    }
}
