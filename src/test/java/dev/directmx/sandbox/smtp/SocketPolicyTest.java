package dev.directmx.sandbox.smtp;

import static dev.directmx.sandbox.smtp.ScriptedSmtpServerTest.deliver;
import static dev.directmx.sandbox.smtp.ScriptedSmtpServerTest.greeted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Transport faults, delays and timeouts: what SMTP replies cannot express. */
@Timeout(5)
class SocketPolicyTest {

    private static final Duration SHORT = Duration.ofMillis(300);

    @Test
    void neverGreetLeavesTheClientWaitingUntilItTimesOut() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().policy(SocketPolicy.NEVER_GREET).start();
                SmtpTestClient client = SmtpTestClient.connect(server.address())) {
            client.readTimeout(SHORT);

            assertThatThrownBy(client::readReply).isInstanceOf(SocketTimeoutException.class);
            assertThat(server.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void disconnectAfterGreetingEndsTheStreamAfterThe220() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .policy(SocketPolicy.DISCONNECT_AFTER_GREETING).start();
                SmtpTestClient client = SmtpTestClient.connect(server.address())) {
            assertThat(client.readReply().code()).isEqualTo(220);
            client.send("EHLO client.example.org\r\n");
            assertThat(client.readReply()).isNull();
        }
    }

    @Test
    void disconnectInDataEndsTheStreamWithoutAReplyAndRecordsNothing() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .policy(SocketPolicy.DISCONNECT_IN_DATA).start();
                SmtpTestClient client = greeted(server)) {
            client.command("MAIL FROM:<a@example.org>");
            client.command("RCPT TO:<b@example.net>");
            assertThat(client.command("DATA").code()).isEqualTo(354);
            client.send("Subject: test\r\n\r\nhello\r\n.\r\n");

            assertThat(client.readReply()).isNull();
            assertThat(server.received()).isEmpty();
        }
    }

    @Test
    void disconnectInDataAlsoCutsBdat() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .policy(SocketPolicy.DISCONNECT_IN_DATA).start();
                SmtpTestClient client = greeted(server)) {
            client.command("MAIL FROM:<a@example.org>");
            client.command("RCPT TO:<b@example.net>");
            client.send("BDAT 10 LAST\r\n0123456789");

            assertThat(client.readReply()).isNull();
            assertThat(server.received()).isEmpty();
        }
    }

    @Test
    void disconnectInDataOverTlsEndsTheStreamWithoutATlsError() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .implicitTls().policy(SocketPolicy.DISCONNECT_IN_DATA).start();
                SmtpTestClient client = SmtpTestClient.connectTls(server.address())) {
            client.readReply();
            client.command("EHLO client.example.org");
            client.command("MAIL FROM:<a@example.org>");
            client.command("RCPT TO:<b@example.net>");
            assertThat(client.command("DATA").code()).isEqualTo(354);
            client.send("Subject: test\r\n\r\nhello\r\n.\r\n");

            assertThat(client.readReply()).isNull();
            assertThat(server.received()).isEmpty();
        }
    }

    @Test
    void stallAfterDataReadsTheMessageButNeverAnswers() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .policy(SocketPolicy.STALL_AFTER_DATA).start();
                SmtpTestClient client = greeted(server)) {
            client.command("MAIL FROM:<a@example.org>");
            client.command("RCPT TO:<b@example.net>");
            client.command("DATA");
            client.readTimeout(SHORT);
            client.send("Subject: test\r\n\r\nhello\r\n.\r\n");

            assertThatThrownBy(client::readReply).isInstanceOf(SocketTimeoutException.class);
            assertThat(server.received()).isEmpty();
            assertThat(server.log()).contains("* never answering the end of data (STALL_AFTER_DATA)");
        }
    }

    @Test
    void failStartTlsHandshakeBreaksOnlyTheFirstHandshake() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .policy(SocketPolicy.FAIL_STARTTLS_HANDSHAKE).start()) {
            try (SmtpTestClient first = greeted(server)) {
                assertThat(first.command("STARTTLS").lines()).containsExactly("220 2.0.0 Ready to start TLS");
                assertThatThrownBy(first::startTls).isInstanceOf(SSLException.class);
            }
            try (SmtpTestClient second = greeted(server)) {
                assertThat(second.command("STARTTLS").code()).isEqualTo(220);
                second.startTls();
                second.command("EHLO client.example.org");
                deliver(second);
            }

            assertThat(server.received()).singleElement().extracting(ReceivedMessage::tls).isEqualTo(true);
            assertThat(server.connectionCount()).isEqualTo(2);
        }
    }

    @Test
    void failStartTlsHandshakeStillAdvertisesStartTlsToAPlaintextRetry() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .policy(SocketPolicy.FAIL_STARTTLS_HANDSHAKE).start()) {
            try (SmtpTestClient first = greeted(server)) {
                first.command("STARTTLS");
                assertThatThrownBy(first::startTls).isInstanceOf(SSLException.class);
            }
            try (SmtpTestClient retry = SmtpTestClient.connect(server.address())) {
                retry.readReply();
                assertThat(retry.command("EHLO client.example.org").lines()).contains("250-STARTTLS");
                deliver(retry);
            }

            assertThat(server.received()).singleElement().extracting(ReceivedMessage::tls).isEqualTo(false);
        }
    }

    @Test
    void refuseAllAfterFirstRefusesTheSecondConnection() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .policy(SocketPolicy.REFUSE_ALL_AFTER_FIRST).start()) {
            try (SmtpTestClient first = greeted(server)) {
                deliver(first);
            }
            awaitLog(server, "* no longer listening (REFUSE_ALL_AFTER_FIRST)");

            assertThatThrownBy(() -> SmtpTestClient.connect(server.address())).isInstanceOf(ConnectException.class);
            assertThat(server.received()).hasSize(1);
        }
    }

    @Test
    void delayHoldsBackTheReplyOfItsStage() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                        .delay(SmtpStage.GREETING, Duration.ofMillis(200)).start();
                SmtpTestClient client = SmtpTestClient.connect(server.address())) {
            long start = System.nanoTime();
            assertThat(client.readReply().code()).isEqualTo(220);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
        }
    }

    @Test
    void idleSessionGets421WhenTheIdleTimeoutPasses() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().idleTimeout(Duration.ofMillis(200)).start();
                SmtpTestClient client = greeted(server)) {
            assertThat(client.readReply().lines())
                    .containsExactly("421 4.4.2 mx.sandbox.test idle timeout, closing connection");
            assertThat(client.readReply()).isNull();
        }
    }

    @Test
    void closeEndsOpenSessionsAndStopsListening() throws Exception {
        ScriptedSmtpServer server = ScriptedSmtpServer.builder().start();
        try (SmtpTestClient client = greeted(server)) {
            long start = System.nanoTime();
            server.close();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(server.openSessions()).isZero();
            assertThat(client.read()).isEqualTo(-1);
            assertThatThrownBy(() -> SmtpTestClient.connect(server.address())).isInstanceOf(ConnectException.class);
        }
    }

    private static void awaitLog(ScriptedSmtpServer server, String line) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (!server.log().contains(line) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(server.log()).contains(line);
    }
}
