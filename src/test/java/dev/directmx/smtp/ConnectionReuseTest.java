package dev.directmx.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.directmx.sandbox.smtp.ScriptedSmtpServer;
import dev.directmx.sandbox.smtp.SmtpStage;
import dev.directmx.sandbox.smtp.SocketPolicy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connection reuse in the SMTP client against the scripted server: consecutive transactions to one
 * destination share a session, the per-destination cap holds under parallel load, and a session
 * is reused only when that cannot lose or duplicate a message.
 */
class ConnectionReuseTest {

    private static final byte[] BODY = ("From: sender@example.com\r\nTo: recipient@example.net\r\n"
            + "Subject: reuse\r\n\r\nHi there\r\n").getBytes(StandardCharsets.US_ASCII);

    private final SmtpTimeouts timeouts = SmtpTimeouts.rfc5321().cappedAt(Duration.ofSeconds(3));
    private final List<AutoCloseable> running = new ArrayList<>();
    private ScriptedSmtpServer server;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : running) {
            c.close();
        }
    }

    private SmtpClient client(ConnectionReuse reuse) {
        SmtpClient client = new SmtpClient(new SmtpClient.Settings("client.example.com", timeouts,
                SocketFactory.getDefault(), OpportunisticTls.socketFactory(), reuse, Clock.systemUTC()));
        running.add(client);
        return client;
    }

    private SmtpClient client() {
        return client(ConnectionReuse.defaults());
    }

    private ScriptedSmtpServer start(ScriptedSmtpServer.Builder builder) throws Exception {
        server = builder.start();
        running.add(0, server);
        return server;
    }

    private SmtpTarget target() {
        return new SmtpTarget(new InetSocketAddress("127.0.0.1", server.port()), "mx.example.net", TlsMode.STARTTLS);
    }

    private static Envelope envelope(String... recipients) {
        return new Envelope("sender@example.com", List.of(recipients), MessageData.ascii(BODY));
    }

    private static Deadline seconds(long seconds) {
        return Deadline.after(Duration.ofSeconds(seconds), Clock.systemUTC());
    }

    private SessionResult send(SmtpClient client, Transcript transcript) throws SmtpIoException {
        return client.deliver(target(), envelope("recipient@example.net"), StartTls.WHEN_OFFERED, seconds(10), transcript);
    }

    @Test
    void fiveConsecutiveMessagesShareOneConnection() throws Exception {
        start(ScriptedSmtpServer.builder());
        SmtpClient client = client();
        List<Transcript> transcripts = new ArrayList<>();

        for (int i = 0; i < 5; i++) {
            Transcript transcript = new Transcript();
            SessionResult result = send(client, transcript);
            assertThat(result.replies().get(0).reply().code()).isEqualTo(250);
            assertThat(result.tls()).isNotNull();
            transcripts.add(transcript);
        }

        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.received()).hasSize(5);
        assertThat(transcripts.get(0).asStrings()).contains("C: STARTTLS").noneMatch(l -> l.contains("reusing"));
        for (int i = 1; i < 5; i++) {
            List<String> lines = transcripts.get(i).asStrings();
            assertThat(lines.get(0)).matches("\\*: reusing connection to mx\\.example\\.net \\[127\\.0\\.0\\.1]:"
                    + server.port() + " \\(TLSv1\\.[23]\\), transaction " + (i + 1));
            assertThat(lines).noneMatch(l -> l.startsWith("C: EHLO") || l.startsWith("C: STARTTLS")
                    || l.startsWith("*: connecting"));
            assertThat(lines.get(1)).startsWith("C: MAIL FROM:");
        }
        assertThat(server.received()).allSatisfy(m -> assertThat(m.tls()).isTrue());
    }

    @Test
    void reusedChunkingSessionTakesTwoRoundTripsPerMessage() throws Exception {
        start(ScriptedSmtpServer.builder());
        SmtpClient client = client();
        send(client, new Transcript());
        Transcript second = new Transcript();

        send(client, second);

        // One flush for MAIL and RCPT together, one for BDAT LAST: two waits for the server.
        List<String> lines = second.asStrings();
        assertThat(lines).containsSubsequence("C: MAIL FROM:<sender@example.com> SIZE=" + BODY.length,
                "C: RCPT TO:<recipient@example.net>", "S: 250 2.1.0 OK",
                "S: 250 2.1.5 OK", "C: BDAT " + BODY.length + " LAST");
        assertThat(lines.stream().filter(l -> l.startsWith("S: ")).count()).isEqualTo(3);
    }

    @Test
    void parallelMessagesNeverExceedTheConnectionsPerDestination() throws Exception {
        start(ScriptedSmtpServer.builder().delay(SmtpStage.END_OF_DATA, Duration.ofMillis(100)));
        SmtpClient client = client(ConnectionReuse.defaults().withConnectionsPerDestination(3));
        List<Future<SessionResult>> results = new ArrayList<>();

        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                results.add(pool.submit(() -> send(client, new Transcript())));
            }
        }

        for (Future<SessionResult> result : results) {
            assertThat(result.get().replies().get(0).reply().code()).isEqualTo(250);
        }
        assertThat(server.received()).hasSize(20);
        assertThat(server.peakConnections()).isBetween(1, 3);
        assertThat(server.connectionCount()).isLessThanOrEqualTo(3);
    }

    @Test
    void callerWaitingForAFreeSlotGivesUpAtItsDeadline() throws Exception {
        start(ScriptedSmtpServer.builder().delay(SmtpStage.END_OF_DATA, Duration.ofMillis(1500)));
        SmtpClient client = client(ConnectionReuse.defaults().withConnectionsPerDestination(1));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SessionResult> first = pool.submit(() -> send(client, new Transcript()));
            Thread.sleep(300);

            assertThatThrownBy(() -> client.deliver(target(), envelope("recipient@example.net"), StartTls.WHEN_OFFERED,
                    Deadline.after(Duration.ofMillis(400), Clock.systemUTC()), new Transcript()))
                    .isInstanceOfSatisfying(SmtpIoException.class, e -> {
                        assertThat(e.deadlineReached()).isTrue();
                        assertThat(e.getMessage()).contains("waiting for one of the 1 connections");
                    });
            assertThat(first.get().replies().get(0).reply().code()).isEqualTo(250);
        }
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void serverThatClosedTheIdleConnectionGetsTheMessageOnceOnAFreshOne() throws Exception {
        // The server gives up on an idle client after 300 ms (421, then close); the client keeps
        // sessions for 5 s, so it finds this one dead only when it uses it.
        start(ScriptedSmtpServer.builder().idleTimeout(Duration.ofMillis(300)));
        SmtpClient client = client();
        send(client, new Transcript());
        Thread.sleep(700);
        Transcript transcript = new Transcript();

        SessionResult result = send(client, transcript);

        assertThat(result.replies().get(0).reply().code()).isEqualTo(250);
        assertThat(server.received()).hasSize(2);
        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(transcript.asStrings()).anyMatch(l -> l.startsWith("*: reusing connection"))
                .anyMatch(l -> l.contains("retrying once on a new connection"))
                .contains("C: EHLO client.example.com");
    }

    @Test
    void reusedConnectionThatDiesAfterTheFinalDotIsNotRetried() throws Exception {
        start(ScriptedSmtpServer.builder().extensions("PIPELINING", "8BITMIME")
                .policy(SocketPolicy.DISCONNECT_AFTER_DATA).policyAfter(1));
        SmtpClient client = client();
        send(client, new Transcript());
        Transcript transcript = new Transcript();

        assertThatThrownBy(() -> send(client, transcript))
                .isInstanceOfSatisfying(SmtpIoException.class, e -> assertThat(e.stage()).isEqualTo("end of data"));

        // The server may have taken the message: sending it again at once could deliver it twice.
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(transcript.asStrings()).noneMatch(l -> l.contains("retrying"));
        assertThat(client.idleSessions()).isZero();
    }

    @Test
    void reusedChunkingConnectionThatDiesAfterBdatLastIsNotRetried() throws Exception {
        start(ScriptedSmtpServer.builder().policy(SocketPolicy.DISCONNECT_AFTER_DATA).policyAfter(1));
        SmtpClient client = client();
        send(client, new Transcript());

        assertThatThrownBy(() -> send(client, new Transcript())).isInstanceOf(SmtpIoException.class);

        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void reply421EndsTheSessionInsteadOfPoolingIt() throws Exception {
        start(ScriptedSmtpServer.builder().reply(SmtpStage.END_OF_DATA, "421 4.3.2 shutting down"));
        SmtpClient client = client();

        SessionResult first = send(client, new Transcript());

        assertThat(first.replies().get(0).reply().code()).isEqualTo(421);
        assertThat(client.idleSessions()).isZero();
        Transcript second = new Transcript();
        send(client, second);
        assertThat(second.asStrings()).noneMatch(l -> l.contains("reusing")).contains("C: EHLO client.example.com");
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void everyRecipientRefusedResetsTheTransactionAndKeepsTheConnection() throws Exception {
        start(ScriptedSmtpServer.builder().rcptReply("bob@example.net", "550 5.1.1 user unknown"));
        SmtpClient client = client();
        Transcript refused = new Transcript();

        SessionResult first = client.deliver(target(), envelope("bob@example.net"), StartTls.WHEN_OFFERED, seconds(10),
                refused);
        SessionResult second = send(client, new Transcript());

        assertThat(first.replies().get(0).reply().code()).isEqualTo(550);
        assertThat(refused.asStrings()).contains("C: RSET", "S: 250 2.0.0 OK");
        assertThat(second.replies().get(0).reply().code()).isEqualTo(250);
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.received()).singleElement()
                .satisfies(m -> assertThat(m.recipients()).containsExactly("recipient@example.net"));
    }

    @Test
    void refusedFinalReplyStillLeavesTheConnectionReusable() throws Exception {
        start(ScriptedSmtpServer.builder().reply(SmtpStage.END_OF_DATA, "554 5.7.1 rejected"));
        SmtpClient client = client();

        send(client, new Transcript());
        Transcript second = new Transcript();
        SessionResult result = send(client, second);

        assertThat(result.replies().get(0).reply().code()).isEqualTo(554);
        assertThat(second.asStrings()).anyMatch(l -> l.startsWith("*: reusing connection")).doesNotContain("C: RSET");
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void earlierMessagesDeadlineNeverClosesAPooledConnection() throws Exception {
        start(ScriptedSmtpServer.builder());
        SmtpClient client = client();
        client.deliver(target(), envelope("recipient@example.net"), StartTls.WHEN_OFFERED,
                Deadline.after(Duration.ofMillis(800), Clock.systemUTC()), new Transcript());
        Thread.sleep(1200);
        Transcript transcript = new Transcript();

        SessionResult result = send(client, transcript);

        assertThat(result.replies().get(0).reply().code()).isEqualTo(250);
        assertThat(transcript.asStrings()).anyMatch(l -> l.startsWith("*: reusing connection"))
                .noneMatch(l -> l.contains("retrying") || l.contains("deadline"));
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void transactionOnAReusedConnectionIsBoundedByItsOwnDeadline() throws Exception {
        start(ScriptedSmtpServer.builder().policy(SocketPolicy.STALL_AFTER_DATA).policyAfter(1));
        SmtpClient patient = new SmtpClient(new SmtpClient.Settings("client.example.com", SmtpTimeouts.rfc5321(),
                SocketFactory.getDefault(), OpportunisticTls.socketFactory()));
        running.add(patient);
        send(patient, new Transcript());
        long start = System.nanoTime();

        assertThatThrownBy(() -> patient.deliver(target(), envelope("recipient@example.net"), StartTls.WHEN_OFFERED,
                Deadline.after(Duration.ofMillis(800), Clock.systemUTC()), new Transcript()))
                .isInstanceOfSatisfying(SmtpIoException.class, e -> assertThat(e.deadlineReached()).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(patient.idleSessions()).isZero();
    }

    @Test
    void transactionLimitClosesTheConnectionWithQuit() throws Exception {
        start(ScriptedSmtpServer.builder());
        SmtpClient client = client(new ConnectionReuse(Duration.ofSeconds(5), Duration.ofSeconds(300), 2, 20));

        for (int i = 0; i < 3; i++) {
            send(client, new Transcript());
        }

        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(server.received()).hasSize(3);
        awaitLog("C: QUIT");
    }

    @Test
    void idleLimitClosesAKeptConnectionWithQuit() throws Exception {
        start(ScriptedSmtpServer.builder());
        SmtpClient client = client(ConnectionReuse.defaults().withIdleLimit(Duration.ofMillis(200)));
        send(client, new Transcript());

        awaitLog("C: QUIT");

        assertThat(client.idleSessions()).isZero();
        Transcript next = new Transcript();
        send(client, next);
        assertThat(next.asStrings()).noneMatch(l -> l.contains("reusing"));
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void closeSaysQuitOnKeptConnections() throws Exception {
        start(ScriptedSmtpServer.builder());
        SmtpClient client = client();
        send(client, new Transcript());
        assertThat(client.idleSessions()).isEqualTo(1);

        client.close();

        assertThat(client.idleSessions()).isZero();
        assertThat(server.log()).contains("C: QUIT");
    }

    @Test
    void disabledReuseOpensAConnectionPerMessage() throws Exception {
        start(ScriptedSmtpServer.builder());
        SmtpClient client = client(ConnectionReuse.disabled());

        send(client, new Transcript());
        send(client, new Transcript());

        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(client.idleSessions()).isZero();
    }

    @Test
    void differentStartTlsPolicyIsADifferentDestination() throws Exception {
        start(ScriptedSmtpServer.builder());
        SmtpClient client = client();
        send(client, new Transcript());

        SessionResult plaintext = client.deliver(target(), envelope("recipient@example.net"), StartTls.NEVER, seconds(10),
                new Transcript());

        assertThat(plaintext.tls()).isNull();
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> new ConnectionReuse(Duration.ofSeconds(-1), Duration.ofSeconds(300), 100, 20))
                .hasMessageContaining("idle limit");
        assertThatThrownBy(() -> new ConnectionReuse(Duration.ofSeconds(5), Duration.ofSeconds(300), 0, 20))
                .hasMessageContaining("transactions per connection");
        assertThatThrownBy(() -> new ConnectionReuse(Duration.ofSeconds(5), Duration.ofSeconds(300), 100, 0))
                .hasMessageContaining("connections per destination");
        assertThat(ConnectionReuse.defaults()).isEqualTo(
                new ConnectionReuse(Duration.ofSeconds(5), Duration.ofSeconds(300), 100, 20));
    }

    private void awaitLog(String line) throws InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!server.log().contains(line) && System.nanoTime() < giveUp) {
            Thread.sleep(20);
        }
        assertThat(server.log()).contains(line);
    }
}
