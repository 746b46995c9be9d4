package dev.directmx.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.directmx.sandbox.smtp.ReceivedMessage;
import dev.directmx.sandbox.smtp.ScriptedSmtpServer;
import dev.directmx.sandbox.smtp.SmtpStage;
import dev.directmx.sandbox.smtp.SocketPolicy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SMTP client against the scripted server: a real socket, real TLS, canned replies. */
class SmtpClientTest {

    private static final byte[] SEED = ("From: sender@example.com\r\nTo: recipient@example.net\r\n"
            + "Subject: This is a sendable email\r\n\r\nHi there,\r\n.Did it hit the Spam folder?\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private final SmtpTimeouts shortTimeouts = SmtpTimeouts.rfc5321().cappedAt(Duration.ofSeconds(2));
    private final SmtpClient client = new SmtpClient(new SmtpClient.Settings("client.example.com", shortTimeouts,
            SocketFactory.getDefault(), OpportunisticTls.socketFactory()));
    private ScriptedSmtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private SessionResult deliver(ScriptedSmtpServer.Builder builder, Envelope envelope, StartTls startTls,
            Transcript transcript) throws Exception {
        server = builder.start();
        SmtpTarget target = new SmtpTarget(new InetSocketAddress("127.0.0.1", server.port()), "mx.example.net",
                TlsMode.STARTTLS);
        return client.deliver(target, envelope, startTls, Deadline.after(Duration.ofSeconds(10), Clock.systemUTC()),
                transcript);
    }

    private static Envelope envelope(String... recipients) {
        return new Envelope("sender@example.com", List.of(recipients), MessageData.ascii(SEED));
    }

    @Test
    void seedTransactionUsesStartTlsPipeliningAndChunking() throws Exception {
        Transcript transcript = new Transcript();
        SessionResult result = deliver(ScriptedSmtpServer.builder(), envelope("recipient@example.net"),
                StartTls.WHEN_OFFERED, transcript);

        assertThat(result.replies()).singleElement().satisfies(r -> assertThat(r.reply().code()).isEqualTo(250));
        assertThat(result.tls()).isNotNull();
        assertThat(result.tls().protocol()).startsWith("TLSv1.");
        assertThat(transcript.asStrings()).contains("C: STARTTLS");
        assertThat(transcript.asStrings()).anyMatch(l -> l.startsWith("C: BDAT"));
        ReceivedMessage received = server.received().get(0);
        assertThat(received.tls()).isTrue();
        assertThat(received.viaBdat()).isTrue();
        assertThat(received.data()).isEqualTo(SEED);
        assertThat(received.mailParameters()).anyMatch(p -> p.startsWith("SIZE="));
    }

    @Test
    void dataIsDotStuffedWhenChunkingIsMissing() throws Exception {
        Transcript transcript = new Transcript();
        deliver(ScriptedSmtpServer.builder().extensions("PIPELINING", "8BITMIME"), envelope("recipient@example.net"),
                StartTls.WHEN_OFFERED, transcript);

        ReceivedMessage received = server.received().get(0);
        assertThat(received.viaBdat()).isFalse();
        assertThat(received.text()).contains("\r\n.Did it hit");
        assertThat(transcript.asStrings()).contains("C: DATA");
        assertThat(transcript.asStrings()).noneMatch(l -> l.contains("Did it hit"));
    }

    @Test
    void pipelinedRecipientsGetTheirOwnReplies() throws Exception {
        SessionResult result = deliver(ScriptedSmtpServer.builder()
                        .extensions("PIPELINING", "ENHANCEDSTATUSCODES")
                        .rcptReply("bob@example.net", "550 5.1.1 user unknown")
                        .rcptReply("carol@example.net", "452 4.2.2 mailbox full"),
                envelope("alice@example.net", "bob@example.net", "carol@example.net"), StartTls.WHEN_OFFERED, new Transcript());

        assertThat(result.replies()).extracting(r -> r.reply().code()).containsExactly(250, 550, 452);
        assertThat(result.replies().get(1).reply().enhancedCode()).isEqualTo("5.1.1");
        assertThat(result.replies().get(1).reply().command()).isEqualTo("RCPT");
        assertThat(server.received().get(0).recipients()).containsExactly("alice@example.net");
    }

    @Test
    void noAcceptedRecipientMeansNoMessage() throws Exception {
        SessionResult result = deliver(ScriptedSmtpServer.builder().extensions("PIPELINING")
                        .rcptReply("bob@example.net", "550 5.1.1 user unknown"),
                envelope("bob@example.net"), StartTls.WHEN_OFFERED, new Transcript());

        assertThat(result.replies().get(0).reply().code()).isEqualTo(550);
        assertThat(server.received()).isEmpty();
    }

    @Test
    void ehloRefusedFallsBackToHelo() throws Exception {
        Transcript transcript = new Transcript();
        SessionResult result = deliver(ScriptedSmtpServer.builder().ehloRefused(), envelope("recipient@example.net"),
                StartTls.WHEN_OFFERED, transcript);

        assertThat(result.replies().get(0).reply().isPositive()).isTrue();
        assertThat(result.capabilities().extended()).isFalse();
        assertThat(transcript.asStrings()).contains("C: HELO client.example.com");
        assertThat(server.received().get(0).usedHelo()).isTrue();
    }

    @Test
    void eightBitBodyIsReencodedForAServerWithout8BitMime() throws Exception {
        byte[] eightBit = "Subject: x\r\n\r\nGrüße\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] sevenBit = "Subject: x\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        Envelope envelope = new Envelope("sender@example.com", List.of("recipient@example.net"),
                new MessageData(eightBit, true, false, () -> sevenBit));

        Transcript transcript = new Transcript();
        deliver(ScriptedSmtpServer.builder().extensions("PIPELINING"), envelope, StartTls.WHEN_OFFERED, transcript);

        ReceivedMessage received = server.received().get(0);
        assertThat(received.data()).isEqualTo(sevenBit);
        assertThat(received.mailParameters()).doesNotContain("BODY=8BITMIME");
        assertThat(transcript.asStrings()).anyMatch(l -> l.contains("re-encoded"));
    }

    @Test
    void eightBitBodyGoesAsIsWithBody8BitMime() throws Exception {
        byte[] eightBit = "Subject: x\r\n\r\nGrüße\r\n".getBytes(StandardCharsets.UTF_8);
        Envelope envelope = new Envelope("sender@example.com", List.of("recipient@example.net"),
                new MessageData(eightBit, true, false, () -> {
                    throw new AssertionError("no downgrade expected");
                }));

        deliver(ScriptedSmtpServer.builder(), envelope, StartTls.WHEN_OFFERED, new Transcript());

        assertThat(server.received().get(0).data()).isEqualTo(eightBit);
        assertThat(server.received().get(0).mailParameters()).contains("BODY=8BITMIME");
    }

    @Test
    void smtpUtf8MessageToAServerWithoutItFailsClearly() throws Exception {
        Envelope envelope = new Envelope("sender@example.com", List.of("jörg@example.net"),
                new MessageData(SEED, false, true, () -> SEED));

        SessionResult result = deliver(ScriptedSmtpServer.builder().extensions("PIPELINING", "8BITMIME"), envelope,
                StartTls.WHEN_OFFERED, new Transcript());

        SmtpReply reply = result.replies().get(0).reply();
        assertThat(reply.code()).isEqualTo(553);
        assertThat(reply.enhancedCode()).isEqualTo("5.6.7");
        assertThat(reply.local()).isTrue();
        assertThat(reply.text()).contains("SMTPUTF8").contains("mx.example.net");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void smtpUtf8MessageToAServerWithItIsDelivered() throws Exception {
        Envelope envelope = new Envelope("sender@example.com", List.of("jörg@example.net"),
                new MessageData(SEED, false, true, () -> SEED));

        SessionResult result = deliver(ScriptedSmtpServer.builder(), envelope, StartTls.WHEN_OFFERED, new Transcript());

        assertThat(result.replies().get(0).reply().isPositive()).isTrue();
        assertThat(server.received().get(0).mailParameters()).contains("SMTPUTF8");
        assertThat(server.received().get(0).recipients()).containsExactly("jörg@example.net");
    }

    @Test
    void messageOverTheAnnouncedSizeIsNotSent() throws Exception {
        SessionResult result = deliver(ScriptedSmtpServer.builder().extensions("SIZE 100"), envelope("recipient@example.net"),
                StartTls.WHEN_OFFERED, new Transcript());

        assertThat(result.replies().get(0).reply().code()).isEqualTo(552);
        assertThat(result.replies().get(0).reply().enhancedCode()).isEqualTo("5.3.4");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void refusedGreetingIsTheReplyForEveryRecipient() throws Exception {
        SessionResult result = deliver(ScriptedSmtpServer.builder().greeting("554 5.7.1 go away"),
                envelope("a@example.net", "b@example.net"), StartTls.WHEN_OFFERED, new Transcript());

        assertThat(result.replies()).allSatisfy(r -> {
            assertThat(r.reply().code()).isEqualTo(554);
            assertThat(r.reply().command()).isEqualTo("connect");
        });
    }

    @Test
    void finalReplyAfterDataDecidesAcceptedRecipients() throws Exception {
        SessionResult result = deliver(ScriptedSmtpServer.builder().reply(SmtpStage.END_OF_DATA, "552 5.2.2 mailbox full"),
                envelope("recipient@example.net"), StartTls.WHEN_OFFERED, new Transcript());

        SmtpReply reply = result.replies().get(0).reply();
        assertThat(reply.code()).isEqualTo(552);
        assertThat(reply.command()).isEqualTo("end of data");
    }

    @Test
    void failedStartTlsHandshakeIsATlsHandshakeException() throws Exception {
        assertThatThrownBy(() -> deliver(ScriptedSmtpServer.builder().policy(SocketPolicy.FAIL_STARTTLS_HANDSHAKE),
                envelope("recipient@example.net"), StartTls.WHEN_OFFERED, new Transcript()))
                .isInstanceOf(TlsHandshakeException.class);
    }

    @Test
    void plaintextRetrySkipsStartTls() throws Exception {
        Transcript transcript = new Transcript();
        SessionResult result = deliver(ScriptedSmtpServer.builder(), envelope("recipient@example.net"), StartTls.NEVER,
                transcript);

        assertThat(result.tls()).isNull();
        assertThat(transcript.asStrings()).doesNotContain("C: STARTTLS");
        assertThat(server.received().get(0).tls()).isFalse();
    }

    @Test
    void requiredTlsWithoutStartTlsRefusesToSend() throws Exception {
        SessionResult result = deliver(ScriptedSmtpServer.builder().extensions("PIPELINING"), envelope("recipient@example.net"),
                StartTls.REQUIRED, new Transcript());

        assertThat(result.replies().get(0).reply().enhancedCode()).isEqualTo("4.7.4");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void serverThatNeverGreetsTimesOut() throws Exception {
        assertThatThrownBy(() -> deliver(ScriptedSmtpServer.builder().policy(SocketPolicy.NEVER_GREET),
                envelope("recipient@example.net"), StartTls.WHEN_OFFERED, new Transcript()))
                .isInstanceOfSatisfying(SmtpIoException.class, e -> {
                    assertThat(e.timeout()).isTrue();
                    assertThat(e.stage()).isEqualTo("connect");
                });
    }

    @Test
    void deadlineBoundsAStalledFinalReply() throws Exception {
        server = ScriptedSmtpServer.builder().policy(SocketPolicy.STALL_AFTER_DATA).start();
        SmtpClient patient = new SmtpClient(new SmtpClient.Settings("client.example.com", SmtpTimeouts.rfc5321(),
                SocketFactory.getDefault(), OpportunisticTls.socketFactory()));
        SmtpTarget target = new SmtpTarget(new InetSocketAddress("127.0.0.1", server.port()), "mx.example.net", TlsMode.STARTTLS);

        // RFC 5321 would wait 10 minutes for the final dot; the message deadline cuts it short.
        assertThatThrownBy(() -> patient.deliver(target, envelope("recipient@example.net"), StartTls.WHEN_OFFERED,
                Deadline.after(Duration.ofMillis(1500), Clock.systemUTC()), new Transcript()))
                .isInstanceOfSatisfying(SmtpIoException.class, e -> {
                    assertThat(e.timeout()).isTrue();
                    assertThat(e.getMessage()).contains("deadline");
                });
    }

    @Test
    void connectionDroppedInDataIsATransportFailure() throws Exception {
        assertThatThrownBy(() -> deliver(ScriptedSmtpServer.builder().extensions("PIPELINING")
                        .policy(SocketPolicy.DISCONNECT_IN_DATA),
                envelope("recipient@example.net"), StartTls.WHEN_OFFERED, new Transcript()))
                .isInstanceOf(SmtpIoException.class);
        assertThat(server.received()).isEmpty();
    }

    @Test
    void implicitTlsPortSpeaksTlsFromTheFirstByte() throws Exception {
        server = ScriptedSmtpServer.builder().implicitTls().start();
        SmtpTarget target = new SmtpTarget(new InetSocketAddress("127.0.0.1", server.port()), "mx.example.net", TlsMode.IMPLICIT);
        Transcript transcript = new Transcript();

        SessionResult result = client.deliver(target, envelope("recipient@example.net"), StartTls.WHEN_OFFERED,
                Deadline.after(Duration.ofSeconds(10), Clock.systemUTC()), transcript);

        assertThat(result.tls()).isNotNull();
        assertThat(transcript.asStrings()).doesNotContain("C: STARTTLS");
        assertThat(server.received().get(0).tls()).isTrue();
    }
}
