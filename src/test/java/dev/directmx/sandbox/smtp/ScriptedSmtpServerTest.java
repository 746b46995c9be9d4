package dev.directmx.sandbox.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.directmx.sandbox.smtp.SmtpTestClient.ServerReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The protocol as a well-behaved MX speaks it, and the replies a script can change. */
@Timeout(5)
class ScriptedSmtpServerTest {

    @Test
    void plainTransactionRecordsTheMessageWithDotStuffingUndone() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().hostname("mx.example.net").start();
                SmtpTestClient client = SmtpTestClient.connect(server.address())) {
            assertThat(client.readReply().lines()).containsExactly("220 mx.example.net ESMTP directmx sandbox");
            assertThat(client.command("EHLO client.example.org").code()).isEqualTo(250);
            assertThat(client.command("MAIL FROM:<alice@example.org> BODY=8BITMIME SIZE=64").lines())
                    .containsExactly("250 2.1.0 OK");
            assertThat(client.command("RCPT TO:<bob@example.net>").lines()).containsExactly("250 2.1.5 OK");
            assertThat(client.command("DATA").code()).isEqualTo(354);
            ServerReply queued = client.command("Subject: dots\r\n\r\n..line\r\n...two\r\n.");
            assertThat(client.command("QUIT").lines()).containsExactly("221 2.0.0 mx.example.net closing connection");

            assertThat(queued.lines()).containsExactly("250 2.0.0 OK queued as SBX000001");
            ReceivedMessage message = server.received().get(0);
            assertThat(message.mailFrom()).isEqualTo("alice@example.org");
            assertThat(message.mailParameters()).containsExactly("BODY=8BITMIME", "SIZE=64");
            assertThat(message.recipients()).containsExactly("bob@example.net");
            assertThat(message.text()).isEqualTo("Subject: dots\r\n\r\n.line\r\n..two\r\n");
            assertThat(message.tls()).isFalse();
            assertThat(message.tlsProtocol()).isNull();
            assertThat(message.viaBdat()).isFalse();
            assertThat(message.usedHelo()).isFalse();
            assertThat(server.log()).contains("C: EHLO client.example.org", "S: 354 End data with <CR><LF>.<CR><LF>",
                    "C: [message data, 31 octets, then the final dot]");
        }
    }

    @Test
    void ehloListsTheHostnameThenTheDefaultExtensions() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().hostname("mx.example.net").start();
                SmtpTestClient client = SmtpTestClient.connect(server.address())) {
            client.readReply();
            assertThat(client.command("EHLO client.example.org").lines()).containsExactly(
                    "250-mx.example.net", "250-PIPELINING", "250-8BITMIME", "250-SMTPUTF8",
                    "250-ENHANCEDSTATUSCODES", "250-CHUNKING", "250-STARTTLS", "250 SIZE 10240000");
        }
    }

    @Test
    void noExtensionsMakesAPlainEsmtpServerThatRefusesTheirParameters() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().extensions().start();
                SmtpTestClient client = SmtpTestClient.connect(server.address())) {
            client.readReply();
            assertThat(client.command("EHLO client.example.org").lines()).containsExactly("250 mx.sandbox.test");
            assertThat(client.command("MAIL FROM:<a@example.org> BODY=8BITMIME").lines())
                    .containsExactly("555 5.5.4 unsupported parameter BODY");
            assertThat(client.command("STARTTLS").code()).isEqualTo(502);
            client.send("BDAT 3 LAST\r\nabc");
            assertThat(client.readReply().lines())
                    .as("the chunk is still read, to stay in step").containsExactly("502 5.5.1 CHUNKING not offered");
            assertThat(client.command("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void pipelinedCommandsInOneWriteGetTheirRepliesInOrder() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .rcptReply("carol@example.net", "550 5.1.1 user unknown").start();
                SmtpTestClient client = greeted(server)) {
            client.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n"
                    + "RCPT TO:<carol@example.net>\r\nDATA\r\n");

            assertThat(List.of(client.readReply(), client.readReply(), client.readReply(), client.readReply()))
                    .extracting(ServerReply::code).containsExactly(250, 250, 550, 354);
            assertThat(client.command("hello\r\n.").code()).isEqualTo(250);
            assertThat(server.received().get(0).recipients()).containsExactly("b@example.net");
        }
    }

    @Test
    void perRecipientReplyRefusesOnlyThatRecipientWhateverItsCase() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .rcptReply("bob@example.net", "550 5.1.1 user unknown").start();
                SmtpTestClient client = greeted(server)) {
            client.command("MAIL FROM:<a@example.org>");
            assertThat(client.command("RCPT TO:<Bob@Example.NET>").lines()).containsExactly("550 5.1.1 user unknown");
            assertThat(client.command("RCPT TO:<alice@example.net>").code()).isEqualTo(250);
            client.command("DATA");
            assertThat(client.command("hi\r\n.").code()).isEqualTo(250);

            assertThat(server.received()).singleElement()
                    .extracting(ReceivedMessage::recipients, InstanceOfAssertFactories.LIST)
                    .containsExactly("alice@example.net");
        }
    }

    @Test
    void startTlsUpgradesAndTheNextEhloNoLongerOffersStartTls() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().start();
                SmtpTestClient client = greeted(server)) {
            assertThat(client.command("STARTTLS").lines()).containsExactly("220 2.0.0 Ready to start TLS");
            client.startTls();
            assertThat(client.command("MAIL FROM:<a@example.org>").code())
                    .as("the session starts over after TLS: EHLO first").isEqualTo(503);
            assertThat(client.command("EHLO client.example.org").lines())
                    .contains("250-PIPELINING").doesNotContain("250-STARTTLS");
            deliver(client);

            ReceivedMessage message = server.received().get(0);
            assertThat(message.tls()).isTrue();
            assertThat(message.tlsProtocol()).isEqualTo("TLSv1.3").isEqualTo(client.tlsProtocol());
        }
    }

    @Test
    void plaintextPipelinedBehindStartTlsIsDropped() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().start();
                SmtpTestClient client = greeted(server)) {
            client.send("STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n");
            assertThat(client.readReply().code()).isEqualTo(220);
            client.startTls();
            assertThat(client.command("NOOP").lines()).containsExactly("250 2.0.0 OK");
            assertThat(server.log()).contains("* dropped 34 octets pipelined after STARTTLS")
                    .doesNotContain("C: MAIL FROM:<injected@example.org>");
        }
    }

    @Test
    void implicitTlsSpeaksTlsFromTheFirstByte() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().implicitTls().start();
                SmtpTestClient client = SmtpTestClient.connectTls(server.address())) {
            assertThat(client.readReply().code()).isEqualTo(220);
            assertThat(client.command("EHLO client.example.org").lines()).doesNotContain("250-STARTTLS");
            deliver(client);

            assertThat(server.received().get(0).tls()).isTrue();
            assertThat(server.received().get(0).tlsProtocol()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void bdatChunksPipelinedWithTheirDataAreJoinedInOrder() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().start();
                SmtpTestClient client = greeted(server)) {
            client.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n"
                    + "BDAT 12\r\nSubject: x\r\n" + "BDAT 9 LAST\r\n\r\n.body\r\n");

            assertThat(List.of(client.readReply(), client.readReply(), client.readReply(), client.readReply()))
                    .extracting(r -> r.lines().get(0))
                    .containsExactly("250 2.1.0 OK", "250 2.1.5 OK", "250 2.0.0 12 octets received",
                            "250 2.0.0 OK queued as SBX000001");
            ReceivedMessage message = server.received().get(0);
            assertThat(message.text()).as("BDAT data is never dot-unstuffed").isEqualTo("Subject: x\r\n\r\n.body\r\n");
            assertThat(message.viaBdat()).isTrue();
        }
    }

    @Test
    void refusedEhloAnswers502AndHeloStillWorks() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().ehloRefused().start();
                SmtpTestClient client = SmtpTestClient.connect(server.address())) {
            client.readReply();
            assertThat(client.command("EHLO client.example.org").lines())
                    .containsExactly("502 5.5.1 command not recognized");
            assertThat(client.command("HELO client.example.org").lines()).containsExactly("250 mx.sandbox.test");
            deliver(client);

            assertThat(server.received().get(0).usedHelo()).isTrue();
        }
    }

    @Test
    void cannedEndOfDataReplyRefusesTheMessage() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .reply(SmtpStage.END_OF_DATA, "552 5.2.2 mailbox full").start();
                SmtpTestClient client = greeted(server)) {
            ServerReply reply = deliver(client);

            assertThat(reply.lines()).containsExactly("552 5.2.2 mailbox full");
            assertThat(server.received()).isEmpty();
        }
    }

    @Test
    void cannedTemporaryMailReplyStartsNoTransaction() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .reply(SmtpStage.MAIL, "451 4.3.0 try later").start();
                SmtpTestClient client = greeted(server)) {
            assertThat(client.command("MAIL FROM:<a@example.org>").lines()).containsExactly("451 4.3.0 try later");
            assertThat(client.command("RCPT TO:<b@example.net>").lines())
                    .containsExactly("503 5.5.1 need MAIL command");
        }
    }

    @Test
    void cannedMultiLineReplyIsSentWithContinuationHyphens() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .reply(SmtpStage.RCPT, "450 4.2.0 greylisted\n450 4.2.0 come back later").start();
                SmtpTestClient client = greeted(server)) {
            client.command("MAIL FROM:<a@example.org>");
            assertThat(client.command("RCPT TO:<b@example.net>").lines())
                    .containsExactly("450-4.2.0 greylisted", "450 4.2.0 come back later");
        }
    }

    @Test
    void refusedStartTlsLeavesTheSessionInPlaintext() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .reply(SmtpStage.STARTTLS, "454 4.7.0 TLS not available").start();
                SmtpTestClient client = greeted(server)) {
            assertThat(client.command("STARTTLS").lines()).containsExactly("454 4.7.0 TLS not available");
            deliver(client);
            assertThat(server.received().get(0).tls()).isFalse();
        }
    }

    @Test
    void greeting554RefusesEverythingButQuit() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().greeting("554 5.7.1 go away").start();
                SmtpTestClient client = SmtpTestClient.connect(server.address())) {
            assertThat(client.readReply().lines()).containsExactly("554 5.7.1 go away");
            assertThat(client.command("EHLO client.example.org").lines())
                    .containsExactly("503 5.5.1 no SMTP service here");
            assertThat(client.command("QUIT").code()).isEqualTo(221);
            assertThat(client.readReply()).isNull();
        }
    }

    @Test
    void replyCode421ClosesTheConnection() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .reply(SmtpStage.MAIL, "421 4.3.2 shutting down").start();
                SmtpTestClient client = greeted(server)) {
            assertThat(client.command("MAIL FROM:<a@example.org>").code()).isEqualTo(421);
            assertThat(client.readReply()).isNull();
        }
    }

    @Test
    void commandsOutOfSequenceGet503() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().start();
                SmtpTestClient client = SmtpTestClient.connect(server.address())) {
            client.readReply();
            assertThat(client.command("MAIL FROM:<a@example.org>").lines())
                    .containsExactly("503 5.5.1 send EHLO or HELO first");
            client.command("EHLO client.example.org");
            assertThat(client.command("RCPT TO:<b@example.net>").lines())
                    .containsExactly("503 5.5.1 need MAIL command");
            assertThat(client.command("DATA").lines()).containsExactly("503 5.5.1 need MAIL command");
            client.command("MAIL FROM:<a@example.org>");
            assertThat(client.command("MAIL FROM:<a@example.org>").lines())
                    .containsExactly("503 5.5.1 nested MAIL command");
            assertThat(client.command("DATA").lines()).containsExactly("503 5.5.1 need RCPT command");
        }
    }

    @Test
    void dataWithEveryRecipientRefusedGets554() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .reply(SmtpStage.RCPT, "550 5.1.1 user unknown").start();
                SmtpTestClient client = greeted(server)) {
            client.command("MAIL FROM:<a@example.org>");
            client.command("RCPT TO:<b@example.net>");
            assertThat(client.command("DATA").lines()).containsExactly("554 5.5.1 no valid recipients");
            assertThat(client.command("RSET").lines()).containsExactly("250 2.0.0 OK");
        }
    }

    @Test
    void commandLineLongerThan1000OctetsGets500() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().start();
                SmtpTestClient client = greeted(server)) {
            String longest = "NOOP " + "x".repeat(993); // 998 octets, 1000 with CRLF
            assertThat(client.command(longest).lines()).containsExactly("250 2.0.0 OK");
            assertThat(client.command(longest + "x").lines()).containsExactly("500 5.5.6 line too long");
            assertThat(client.command("NOOP").code()).as("the session goes on").isEqualTo(250);
        }
    }

    @Test
    void bareLineFeedsAreAcceptedLeniently() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().start();
                SmtpTestClient client = SmtpTestClient.connect(server.address())) {
            client.readReply();
            client.send("EHLO client.example.org\n");
            assertThat(client.readReply().code()).isEqualTo(250);
            client.send("MAIL FROM:<a@example.org>\nRCPT TO:<b@example.net>\nDATA\n");
            client.readReply();
            client.readReply();
            client.readReply();
            client.send("line\n..dot\n.\n");
            assertThat(client.readReply().code()).isEqualTo(250);
            assertThat(server.received().get(0).text()).isEqualTo("line\r\n.dot\r\n");
        }
    }

    @Test
    void declaredSizeAboveTheAdvertisedLimitGets552() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().extensions("SIZE 100").start();
                SmtpTestClient client = greeted(server)) {
            assertThat(client.command("MAIL FROM:<a@example.org> SIZE=101").lines())
                    .containsExactly("552 5.3.4 message size exceeds fixed maximum message size");
        }
    }

    @Test
    void nonAsciiAddressNeedsTheSmtpUtf8Parameter() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().start();
                SmtpTestClient client = greeted(server)) {
            assertThat(client.command("MAIL FROM:<jörg@example.org>").code()).isEqualTo(553);
            assertThat(client.command("MAIL FROM:<jörg@example.org> SMTPUTF8").code()).isEqualTo(250);
            assertThat(client.command("RCPT TO:<müller@example.net>").code()).isEqualTo(250);
            client.command("DATA");
            client.command("hi\r\n.");
            assertThat(server.received().get(0).mailFrom()).isEqualTo("jörg@example.org");
        }
    }

    @Test
    void listensOnTheLoopbackAddressItWasGiven() throws Exception {
        InetAddress alias = InetAddress.getByName("127.0.0.3");
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().bind(alias, 0).start();
                SmtpTestClient client = SmtpTestClient.connect(server.address())) {
            assertThat(client.readReply().code()).isEqualTo(220);
            assertThat(server.address().getAddress()).isEqualTo(alias);
            assertThat(server.port()).isPositive();
        }
    }

    @Test
    void awaitReceivedWaitsForMessagesFromConcurrentConnections() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().start()) {
            List<Thread> senders = List.of(
                    Thread.ofVirtual().start(() -> deliverOnNewConnection(server)),
                    Thread.ofVirtual().start(() -> deliverOnNewConnection(server)),
                    Thread.ofVirtual().start(() -> deliverOnNewConnection(server)));

            assertThat(server.awaitReceived(3, Duration.ofSeconds(2))).isTrue();
            assertThat(server.awaitReceived(4, Duration.ofMillis(50))).isFalse();
            assertThat(server.connectionCount()).isEqualTo(3);
            for (Thread sender : senders) {
                sender.join();
            }
        }
    }

    @Test
    void invalidCannedRepliesAreRefusedWhenConfigured() {
        assertThatThrownBy(() -> ScriptedSmtpServer.builder().reply(SmtpStage.MAIL, "try later"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScriptedSmtpServer.builder().reply(SmtpStage.RCPT, "450 a\n451 b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScriptedSmtpServer.builder().idleTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Connects, reads the greeting and sends EHLO. */
    static SmtpTestClient greeted(ScriptedSmtpServer server) throws IOException {
        SmtpTestClient client = SmtpTestClient.connect(server.address());
        assertThat(client.readReply().code()).isEqualTo(220);
        assertThat(client.command("EHLO client.example.org").code()).isEqualTo(250);
        return client;
    }

    /** Sends one short message on a greeted session and returns the final reply. */
    static ServerReply deliver(SmtpTestClient client) throws IOException {
        assertThat(client.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
        assertThat(client.command("RCPT TO:<b@example.net>").code()).isEqualTo(250);
        assertThat(client.command("DATA").code()).isEqualTo(354);
        return client.command("Subject: test\r\n\r\nhello\r\n.");
    }

    private static void deliverOnNewConnection(ScriptedSmtpServer server) {
        try (SmtpTestClient client = greeted(server)) {
            deliver(client);
            client.command("QUIT");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
