package dev.directmx.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.directmx.dkim.DkimAlgorithm;
import dev.directmx.dkim.DkimSigner;
import dev.directmx.dkim.JvmVerifier;
import dev.directmx.dkim.Keyring;
import dev.directmx.dkim.MessageSigning;
import dev.directmx.dkim.Signing;
import dev.directmx.dkim.SigningKey;
import dev.directmx.dkim.SigningSettings;
import dev.directmx.dns.DestinationResolver;
import dev.directmx.dns.DnsServers;
import dev.directmx.message.MessageComposer;
import dev.directmx.message.MessageLimits;
import dev.directmx.message.MessageRequest;
import dev.directmx.message.OutboundMessage;
import dev.directmx.sandbox.dns.SandboxZones;
import dev.directmx.sandbox.dns.ZoneDnsServer;
import dev.directmx.sandbox.smtp.ScriptedSmtpServer;
import dev.directmx.sandbox.smtp.SmtpStage;
import dev.directmx.sandbox.smtp.SocketPolicy;
import dev.directmx.smtp.ConnectionReuse;
import dev.directmx.smtp.OpportunisticTls;
import dev.directmx.smtp.SmtpClient;
import dev.directmx.smtp.SmtpTimeouts;
import dev.directmx.smtp.StartTls;
import dev.directmx.smtp.TlsMode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fault tests of one message's delivery through a real DNS server and scripted SMTP servers on
 * loopback addresses (127.0.0.2, 127.0.0.3, ... pose as separate MX hosts on one port).
 */
class DelivererTest {

    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : running) {
            c.close();
        }
    }

    private ScriptedSmtpServer mx(String address, int port, ScriptedSmtpServer.Builder builder) throws IOException {
        ScriptedSmtpServer server = builder.bind(InetAddress.getByName(address), port).start();
        running.add(server);
        return server;
    }

    private ZoneDnsServer dns(SandboxZones zones) throws IOException {
        ZoneDnsServer server = ZoneDnsServer.start(zones);
        running.add(server);
        return server;
    }

    /** A port with nothing listening on any loopback address (taken, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static OutboundMessage message(String... to) throws Exception {
        return new MessageComposer(Clock.systemUTC(), MessageLimits.defaults()).compose(new MessageRequest(null,
                "sender@example.com", null, List.of(to), List.of(), List.of(), List.of(), "This is a sendable email",
                "Hi there,\nDid it hit the Spam folder?", null, Map.of(), List.of()));
    }

    private static Deliverer deliverer(ZoneDnsServer dns, List<ServicePort> ports, List<ServicePort> fallback, Duration deadline) {
        SmtpClient client = new SmtpClient(new SmtpClient.Settings("client.example.com",
                SmtpTimeouts.rfc5321().cappedAt(Duration.ofSeconds(3)), SocketFactory.getDefault(),
                OpportunisticTls.socketFactory()));
        DeliverySettings settings = new DeliverySettings(ports, fallback, new AddressPolicy(true), StartTls.WHEN_OFFERED,
                deadline, Duration.ofMillis(800));
        return new Deliverer(new DestinationResolver(DnsServers.resolver(dns.hostPort(), Duration.ofMillis(800)), new Random(7)),
                client, settings, Clock.systemUTC());
    }

    private static Deliverer deliverer(ZoneDnsServer dns, int port, ConnectionReuse reuse) {
        SmtpClient client = new SmtpClient(new SmtpClient.Settings("client.example.com",
                SmtpTimeouts.rfc5321().cappedAt(Duration.ofSeconds(3)), SocketFactory.getDefault(),
                OpportunisticTls.socketFactory(), reuse, Clock.systemUTC()));
        DeliverySettings settings = new DeliverySettings(List.of(new ServicePort(port, TlsMode.STARTTLS)), List.of(),
                new AddressPolicy(true), StartTls.WHEN_OFFERED, Duration.ofSeconds(20), Duration.ofMillis(800));
        return new Deliverer(new DestinationResolver(DnsServers.resolver(dns.hostPort(), Duration.ofMillis(800)), new Random(7)),
                client, settings, Clock.systemUTC());
    }

    private static Deliverer deliverer(ZoneDnsServer dns, int port) {
        return deliverer(dns, List.of(new ServicePort(port, TlsMode.STARTTLS)), List.of(), Duration.ofSeconds(20));
    }

    @Test
    void fiveMessagesToOneDomainGoOverOneConnection() throws Exception {
        ScriptedSmtpServer mx = mx("127.0.0.2", 0, ScriptedSmtpServer.builder());
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx1.example.net").a("mx1.example.net", "127.0.0.2"));
        List<DeliveryReport> reports = new ArrayList<>();

        try (Deliverer deliverer = deliverer(dns, mx.port())) {
            for (int i = 0; i < 5; i++) {
                reports.add(deliverer.deliver(message("recipient" + i + "@example.net")));
            }
        }

        assertThat(mx.connectionCount()).isEqualTo(1);
        assertThat(mx.received()).hasSize(5);
        assertThat(reports).allSatisfy(r -> {
            assertThat(r.recipients().get(0)).isInstanceOf(RecipientOutcome.Delivered.class);
            assertThat(r.recipients().get(0).attempts()).isEqualTo(1);
            assertThat(r.recipients().get(0).route().tls()).isNotNull();
            assertThat(r.sessions()).hasSize(1);
        });
        for (int i = 1; i < 5; i++) {
            assertThat(reports.get(i).sessions().get(0).transcript().get(0))
                    .isEqualTo("*: reusing connection to mx1.example.net [127.0.0.2]:" + mx.port() + " ("
                            + reports.get(i).recipients().get(0).route().tls().protocol() + "), transaction " + (i + 1));
        }
    }

    @Test
    void messagesInParallelToOneDomainStayWithinTheConnectionCap() throws Exception {
        ScriptedSmtpServer mx = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().delay(SmtpStage.END_OF_DATA, Duration.ofMillis(50)));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx1.example.net").a("mx1.example.net", "127.0.0.2"));
        List<Future<DeliveryReport>> reports = new ArrayList<>();

        try (Deliverer deliverer = deliverer(dns, mx.port(), ConnectionReuse.defaults().withConnectionsPerDestination(4));
                ExecutorService batch = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 30; i++) {
                OutboundMessage message = message("recipient" + i + "@example.net");
                reports.add(batch.submit(() -> deliverer.deliver(message)));
            }
            for (Future<DeliveryReport> report : reports) {
                assertThat(report.get().recipients().get(0)).isInstanceOf(RecipientOutcome.Delivered.class);
            }
        }

        assertThat(mx.received()).hasSize(30);
        assertThat(mx.peakConnections()).isLessThanOrEqualTo(4);
    }

    @Test
    void idleConnectionClosedByTheServerStillDeliversOnceInOneAttempt() throws Exception {
        ScriptedSmtpServer mx = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().idleTimeout(Duration.ofMillis(300)));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx1.example.net").a("mx1.example.net", "127.0.0.2"));
        Deliverer deliverer = deliverer(dns, mx.port());
        deliverer.deliver(message("first@example.net"));
        Thread.sleep(700);

        DeliveryReport report = deliverer.deliver(message("second@example.net"));

        RecipientOutcome outcome = report.recipients().get(0);
        assertThat(outcome).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(outcome.attempts()).isEqualTo(1);
        assertThat(report.sessions()).singleElement()
                .satisfies(s -> assertThat(s.transcript()).anyMatch(l -> l.contains("retrying once on a new connection")));
        assertThat(mx.received()).extracting(m -> m.recipients().get(0))
                .containsExactly("first@example.net", "second@example.net");
        deliverer.close();
    }

    @Test
    void nolistingFirstMxRefusesConnectionsSecondDelivers() throws Exception {
        ScriptedSmtpServer mx2 = mx("127.0.0.3", 0, ScriptedSmtpServer.builder());
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx1.example.net").mx("example.net", 20, "mx2.example.net")
                .a("mx1.example.net", "127.0.0.2").a("mx2.example.net", "127.0.0.3"));

        DeliveryReport report = deliverer(dns, mx2.port()).deliver(message("recipient@example.net"));

        RecipientOutcome outcome = report.recipients().get(0);
        assertThat(outcome).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(outcome.route().mxHost()).isEqualTo("mx2.example.net");
        assertThat(outcome.route().address()).isEqualTo("127.0.0.3");
        assertThat(outcome.route().tls()).isNotNull();
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(report.sessions()).hasSize(2);
        assertThat(report.sessions().get(0).summary()).contains("connect");
        assertThat(mx2.received()).hasSize(1);
    }

    @Test
    void allMxDeadThenTheDomainsOwnAddressAccepts() throws Exception {
        ScriptedSmtpServer domainHost = mx("127.0.0.3", 0, ScriptedSmtpServer.builder());
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx1.example.net").mx("example.net", 20, "mx2.example.net")
                .a("mx1.example.net", "127.0.0.2").a("mx2.example.net", "127.0.0.4").a("example.net", "127.0.0.3"));

        DeliveryReport report = deliverer(dns, domainHost.port()).deliver(message("recipient@example.net"));

        RecipientOutcome outcome = report.recipients().get(0);
        assertThat(outcome).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(outcome.route().kind()).isEqualTo(Route.Kind.DOMAIN_ADDRESS);
        assertThat(outcome.attempts()).isEqualTo(3);
    }

    @Test
    void noMxRecordDeliversToTheImplicitMx() throws Exception {
        ScriptedSmtpServer host = mx("127.0.0.3", 0, ScriptedSmtpServer.builder());
        ZoneDnsServer dns = dns(new SandboxZones().a("implicit.example", "127.0.0.3"));

        DeliveryReport report = deliverer(dns, host.port()).deliver(message("someone@implicit.example"));

        assertThat(report.recipients().get(0)).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(report.recipients().get(0).route().kind()).isEqualTo(Route.Kind.IMPLICIT_MX);
    }

    @Test
    void onlyPort587OpenDeliversThereWithStartTls() throws Exception {
        int closed = closedPort();
        ScriptedSmtpServer submission = mx("127.0.0.3", 0, ScriptedSmtpServer.builder());
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.3"));
        Deliverer deliverer = deliverer(dns, List.of(new ServicePort(closed, TlsMode.STARTTLS)),
                List.of(new ServicePort(closedPort(), TlsMode.IMPLICIT), new ServicePort(submission.port(), TlsMode.STARTTLS)),
                Duration.ofSeconds(20));

        DeliveryReport report = deliverer.deliver(message("recipient@example.net"));

        RecipientOutcome outcome = report.recipients().get(0);
        assertThat(outcome).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(outcome.route().port()).isEqualTo(submission.port());
        assertThat(outcome.route().tls()).isNotNull();
        assertThat(report.sessions()).hasSize(3);
    }

    @Test
    void onlyPort465OpenDeliversWithImplicitTls() throws Exception {
        ScriptedSmtpServer submissions = mx("127.0.0.3", 0, ScriptedSmtpServer.builder().implicitTls());
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.3"));
        Deliverer deliverer = deliverer(dns, List.of(new ServicePort(closedPort(), TlsMode.STARTTLS)),
                List.of(new ServicePort(submissions.port(), TlsMode.IMPLICIT)), Duration.ofSeconds(20));

        DeliveryReport report = deliverer.deliver(message("recipient@example.net"));

        RecipientOutcome outcome = report.recipients().get(0);
        assertThat(outcome).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(outcome.route().tls().protocol()).startsWith("TLSv1.");
        assertThat(submissions.received().get(0).tls()).isTrue();
    }

    @Test
    void nullMxFailsPermanently() throws Exception {
        ZoneDnsServer dns = dns(new SandboxZones().nullMx("nullmx.example"));

        RecipientOutcome outcome = deliverer(dns, closedPort()).deliver(message("a@nullmx.example")).recipients().get(0);

        assertThat(outcome).isInstanceOfSatisfying(RecipientOutcome.Failed.class, f -> assertThat(f.retryable()).isFalse());
        assertThat(outcome.reply().enhancedCode()).isEqualTo("5.1.10");
        assertThat(outcome.reply().text()).contains("null MX");
    }

    @Test
    void nxdomainFailsPermanently() throws Exception {
        ZoneDnsServer dns = dns(new SandboxZones().zone("example.net"));

        RecipientOutcome outcome = deliverer(dns, closedPort()).deliver(message("a@nosuch.example.net")).recipients().get(0);

        assertThat(outcome).isInstanceOfSatisfying(RecipientOutcome.Failed.class, f -> assertThat(f.retryable()).isFalse());
        assertThat(outcome.reply().enhancedCode()).isEqualTo("5.1.2");
    }

    @Test
    void servfailIsDeferred() throws Exception {
        ZoneDnsServer dns = dns(new SandboxZones().servfail("broken.example"));

        RecipientOutcome outcome = deliverer(dns, closedPort()).deliver(message("a@broken.example")).recipients().get(0);

        assertThat(outcome).isInstanceOf(RecipientOutcome.Deferred.class);
        assertThat(outcome.reply().enhancedCode()).isEqualTo("4.4.3");
    }

    @Test
    void greeting421MovesOnToTheNextMx() throws Exception {
        ScriptedSmtpServer busy = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().greeting("421 4.3.2 too busy"));
        ScriptedSmtpServer ok = mx("127.0.0.3", busy.port(), ScriptedSmtpServer.builder());
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx1.example.net").mx("example.net", 20, "mx2.example.net")
                .a("mx1.example.net", "127.0.0.2").a("mx2.example.net", "127.0.0.3"));

        RecipientOutcome outcome = deliverer(dns, busy.port()).deliver(message("recipient@example.net")).recipients().get(0);

        assertThat(outcome).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(outcome.route().mxHost()).isEqualTo("mx2.example.net");
        assertThat(ok.received()).hasSize(1);
    }

    @Test
    void mail451OnEveryMxLeavesTheRecipientDeferredWithThatReply() throws Exception {
        ScriptedSmtpServer one = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().reply(SmtpStage.MAIL, "451 4.3.0 try later"));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx1.example.net").a("mx1.example.net", "127.0.0.2"));

        RecipientOutcome outcome = deliverer(dns, one.port()).deliver(message("recipient@example.net")).recipients().get(0);

        assertThat(outcome).isInstanceOf(RecipientOutcome.Deferred.class);
        assertThat(outcome.reply().code()).isEqualTo(451);
        assertThat(outcome.reply().command()).isEqualTo("MAIL");
    }

    @Test
    void mixedResultsForThreeRecipientsInOneTransaction() throws Exception {
        ScriptedSmtpServer server = mx("127.0.0.2", 0, ScriptedSmtpServer.builder()
                .rcptReply("bob@example.net", "550 5.1.1 user unknown")
                .rcptReply("carol@example.net", "452 4.2.2 mailbox full"));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));

        DeliveryReport report = deliverer(dns, server.port())
                .deliver(message("alice@example.net", "bob@example.net", "carol@example.net"));

        assertThat(report.recipients()).extracting(RecipientOutcome::status).containsExactly("delivered", "failed", "deferred");
        assertThat(report.recipients().get(1).retryable()).isTrue();
        assertThat(report.recipients().get(1).reply().enhancedCode()).isEqualTo("5.1.1");
        assertThat(report.recipients().get(2).reply().code()).isEqualTo(452);
        assertThat(report.sessions()).hasSize(1);
        assertThat(server.received().get(0).recipients()).containsExactly("alice@example.net");
    }

    @Test
    void mailboxFull552AfterDataFailsButStaysRetryable() throws Exception {
        ScriptedSmtpServer server = mx("127.0.0.2", 0, ScriptedSmtpServer.builder()
                .reply(SmtpStage.END_OF_DATA, "552 5.2.2 mailbox full"));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));

        RecipientOutcome outcome = deliverer(dns, server.port()).deliver(message("recipient@example.net")).recipients().get(0);

        assertThat(outcome).isInstanceOfSatisfying(RecipientOutcome.Failed.class, f -> assertThat(f.retryable()).isTrue());
        assertThat(outcome.reply().code()).isEqualTo(552);
    }

    @Test
    void failedStartTlsHandshakeRetriesOnceInPlaintextAndSaysSo() throws Exception {
        ScriptedSmtpServer server = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().policy(SocketPolicy.FAIL_STARTTLS_HANDSHAKE));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));

        DeliveryReport report = deliverer(dns, server.port()).deliver(message("recipient@example.net"));

        RecipientOutcome outcome = report.recipients().get(0);
        assertThat(outcome).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(outcome.route().tls()).isNull();
        assertThat(report.sessions().get(0).transcript()).anyMatch(l -> l.contains("retrying once without STARTTLS"));
        assertThat(server.received().get(0).tls()).isFalse();
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void serverThatNeverAnswersIsDeferredAtTheDeadline() throws Exception {
        ScriptedSmtpServer silent = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().policy(SocketPolicy.NEVER_GREET));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));
        SmtpClient patient = new SmtpClient(new SmtpClient.Settings("client.example.com", SmtpTimeouts.rfc5321(),
                SocketFactory.getDefault(), OpportunisticTls.socketFactory()));
        DeliverySettings settings = new DeliverySettings(List.of(new ServicePort(silent.port(), TlsMode.STARTTLS)), List.of(),
                new AddressPolicy(true), StartTls.WHEN_OFFERED, Duration.ofSeconds(2), Duration.ofMillis(800));
        Deliverer deliverer = new Deliverer(new DestinationResolver(DnsServers.resolver(dns.hostPort(), Duration.ofMillis(800)),
                new Random(1)), patient, settings, Clock.systemUTC());

        RecipientOutcome outcome = deliverer.deliver(message("recipient@example.net")).recipients().get(0);

        // RFC 5321 would wait 5 minutes for the greeting; the 2 s message deadline ends it.
        assertThat(outcome).isInstanceOf(RecipientOutcome.Deferred.class);
        assertThat(outcome.reply().enhancedCode()).isEqualTo("4.4.7");
        assertThat(outcome.reply().text()).contains("deadline");
    }

    @Test
    void connectionDroppedInDataIsDeferredAndTheRetryDeliversOnce() throws Exception {
        ScriptedSmtpServer dropping = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().extensions("PIPELINING", "8BITMIME")
                .policy(SocketPolicy.DISCONNECT_IN_DATA));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));
        OutboundMessage message = message("recipient@example.net");

        RecipientOutcome first = deliverer(dns, dropping.port()).deliver(message).recipients().get(0);

        assertThat(first).isInstanceOf(RecipientOutcome.Deferred.class);
        assertThat(first.reply().text()).contains("closed");
        assertThat(dropping.received()).isEmpty();

        ScriptedSmtpServer healthy = mx("127.0.0.3", 0, ScriptedSmtpServer.builder());
        ZoneDnsServer healed = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.3"));
        RecipientOutcome retry = deliverer(healed, healthy.port()).deliver(message).recipients().get(0);

        assertThat(retry).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(healthy.received()).hasSize(1);
    }

    @Test
    void recipientsInTwoDomainsAreDeliveredSeparately() throws Exception {
        ScriptedSmtpServer net = mx("127.0.0.2", 0, ScriptedSmtpServer.builder());
        ScriptedSmtpServer org = mx("127.0.0.3", net.port(), ScriptedSmtpServer.builder());
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2")
                .mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.3"));

        DeliveryReport report = deliverer(dns, net.port()).deliver(message("a@example.net", "b@example.org"));

        assertThat(report.allDelivered()).isTrue();
        assertThat(net.received().get(0).recipients()).containsExactly("a@example.net");
        assertThat(org.received().get(0).recipients()).containsExactly("b@example.org");
    }

    @Test
    void privateMxIsRefusedWithoutAllowPrivate() throws Exception {
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "169.254.169.254"));
        DeliverySettings settings = new DeliverySettings(List.of(ServicePort.SMTP), List.of(), AddressPolicy.publicOnly(),
                StartTls.WHEN_OFFERED, Duration.ofSeconds(5), Duration.ofMillis(800));
        Deliverer deliverer = new Deliverer(new DestinationResolver(DnsServers.resolver(dns.hostPort(), Duration.ofMillis(800)),
                new Random(1)), new SmtpClient(SmtpClient.Settings.defaults("client.example.com")), settings, Clock.systemUTC());

        RecipientOutcome outcome = deliverer.deliver(message("recipient@example.net")).recipients().get(0);

        assertThat(outcome).isInstanceOfSatisfying(RecipientOutcome.Failed.class, f -> assertThat(f.retryable()).isFalse());
        assertThat(outcome.reply().text()).contains("169.254.169.254").contains("--allow-private");
        assertThat(outcome.attempts()).isZero();
    }

    @Test
    void idnDomainIsLookedUpAsAnALabel() throws Exception {
        ScriptedSmtpServer server = mx("127.0.0.2", 0, ScriptedSmtpServer.builder());
        ZoneDnsServer dns = dns(new SandboxZones().mx("xn--bcher-kva.example", 10, "mx.xn--bcher-kva.example")
                .a("mx.xn--bcher-kva.example", "127.0.0.2"));

        RecipientOutcome outcome = deliverer(dns, server.port()).deliver(message("user@bücher.example")).recipients().get(0);

        assertThat(outcome).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(outcome.recipient()).isEqualTo("user@bücher.example");
        assertThat(server.received().get(0).recipients()).containsExactly("user@xn--bcher-kva.example");
    }

    @Test
    void utf8AddressToAServerWithoutSmtpUtf8FailsThatRecipientClearly() throws Exception {
        ScriptedSmtpServer server = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().extensions("PIPELINING", "8BITMIME"));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));

        RecipientOutcome outcome = deliverer(dns, server.port()).deliver(message("jörg@example.net")).recipients().get(0);

        assertThat(outcome).isInstanceOfSatisfying(RecipientOutcome.Failed.class, f -> assertThat(f.retryable()).isFalse());
        assertThat(outcome.reply().enhancedCode()).isEqualTo("5.6.7");
        assertThat(outcome.reply().text()).contains("SMTPUTF8");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void utf8AddressToAServerWithSmtpUtf8IsDelivered() throws Exception {
        ScriptedSmtpServer server = mx("127.0.0.2", 0, ScriptedSmtpServer.builder());
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));

        RecipientOutcome outcome = deliverer(dns, server.port()).deliver(message("jörg@example.net")).recipients().get(0);

        assertThat(outcome).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(server.received().get(0).mailParameters()).contains("SMTPUTF8");
    }

    @Test
    void utf8BodyToAServerWithout8BitMimeArrivesReencodedAndReadable() throws Exception {
        ScriptedSmtpServer server = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().extensions("PIPELINING"));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));
        OutboundMessage message = new MessageComposer(Clock.systemUTC(), MessageLimits.defaults()).compose(new MessageRequest(
                null, "sender@example.com", null, List.of("recipient@example.net"), List.of(), List.of(), List.of(),
                "Grüße", "Grüße aus Köln\nÇa va?", null, Map.of(), List.of()));

        RecipientOutcome outcome = deliverer(dns, server.port()).deliver(message).recipients().get(0);

        assertThat(outcome).isInstanceOf(RecipientOutcome.Delivered.class);
        byte[] data = server.received().get(0).data();
        for (byte b : data) {
            assertThat(b & 0xff).isLessThan(128);
        }
        jakarta.mail.internet.MimeMessage parsed = new jakarta.mail.internet.MimeMessage(
                jakarta.mail.Session.getInstance(new java.util.Properties()), new java.io.ByteArrayInputStream(data));
        assertThat(parsed.getContent().toString()).contains("Grüße aus Köln").contains("Ça va?");
        assertThat(parsed.getSubject()).isEqualTo("Grüße");
    }

    // ---- DKIM

    private static final java.security.KeyPair RSA = dev.directmx.dkim.PrivateKeys.generate(DkimAlgorithm.RSA_SHA256);
    private static final java.security.KeyPair ED25519 = dev.directmx.dkim.PrivateKeys.generate(DkimAlgorithm.ED25519_SHA256);

    private static Deliverer signingDeliverer(ZoneDnsServer dns, int port) {
        SmtpClient client = new SmtpClient(new SmtpClient.Settings("client.example.com",
                SmtpTimeouts.rfc5321().cappedAt(Duration.ofSeconds(3)), SocketFactory.getDefault(),
                OpportunisticTls.socketFactory()));
        DeliverySettings settings = new DeliverySettings(List.of(new ServicePort(port, TlsMode.STARTTLS)), List.of(),
                new AddressPolicy(true), StartTls.WHEN_OFFERED, Duration.ofSeconds(20), Duration.ofMillis(800));
        Keyring keyring = Keyring.of(List.of(new SigningKey("example.com", "rsa2026", RSA.getPrivate()),
                new SigningKey("example.com", "ed2026", ED25519.getPrivate())));
        return new Deliverer(new DestinationResolver(DnsServers.resolver(dns.hostPort(), Duration.ofMillis(800)), new Random(7)),
                client, settings, new MessageSigning(keyring, new DkimSigner(SigningSettings.defaults()), Clock.systemUTC()),
                Clock.systemUTC());
    }

    private static Map<String, java.security.PublicKey> publicKeys() {
        return Map.of("rsa2026._domainkey.example.com", RSA.getPublic(), "ed2026._domainkey.example.com", ED25519.getPublic());
    }

    private static OutboundMessage eightBitMessage(String from) throws Exception {
        return new MessageComposer(Clock.systemUTC(), MessageLimits.defaults()).compose(new MessageRequest(null, from, null,
                List.of("recipient@example.net"), List.of(), List.of(), List.of(), "Grüße", "Grüße aus Köln\nÇa va?", null,
                Map.of(), List.of()));
    }

    @Test
    void signatureMadeAfterThe8BitMimeDowngradeVerifiesAsReceived() throws Exception {
        ScriptedSmtpServer server = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().extensions("PIPELINING"));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));

        DeliveryReport report = signingDeliverer(dns, server.port()).deliver(eightBitMessage("sender@example.com"));

        assertThat(report.recipients().get(0)).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(report.dkim().describe()).isEqualTo(
                "signed d=example.com s=rsa2026 a=rsa-sha256, d=example.com s=ed2026 a=ed25519-sha256");
        byte[] received = server.received().get(0).data();
        assertThat(new String(received, java.nio.charset.StandardCharsets.US_ASCII)).contains("quoted-printable");
        assertThat(JvmVerifier.verify(received, 0, publicKeys())).isEqualTo("pass");
        assertThat(JvmVerifier.verify(received, 1, publicKeys())).isEqualTo("pass");
    }

    @Test
    void signatureOverThe8BitFormVerifiesAtAServerWith8BitMime() throws Exception {
        ScriptedSmtpServer server = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().extensions("PIPELINING", "8BITMIME"));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));

        signingDeliverer(dns, server.port()).deliver(eightBitMessage("sender@example.com"));

        byte[] received = server.received().get(0).data();
        assertThat(server.received().get(0).mailParameters()).contains("BODY=8BITMIME");
        assertThat(JvmVerifier.verify(received, 0, publicKeys())).isEqualTo("pass");
        assertThat(JvmVerifier.verify(received, 1, publicKeys())).isEqualTo("pass");
    }

    @Test
    void mailFromASubdomainIsSignedWithTheParentDomainsKey() throws Exception {
        ScriptedSmtpServer server = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().extensions("PIPELINING", "8BITMIME"));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));

        DeliveryReport report = signingDeliverer(dns, server.port()).deliver(eightBitMessage("news@mail.example.com"));

        assertThat(report.dkim()).isInstanceOf(Signing.Signed.class);
        assertThat(JvmVerifier.verify(server.received().get(0).data(), 0, publicKeys())).isEqualTo("pass");
    }

    @Test
    void mailFromADomainWithoutAKeyGoesUnsignedAndTheReportSaysWhy() throws Exception {
        ScriptedSmtpServer server = mx("127.0.0.2", 0, ScriptedSmtpServer.builder().extensions("PIPELINING", "8BITMIME"));
        ZoneDnsServer dns = dns(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));

        DeliveryReport report = signingDeliverer(dns, server.port()).deliver(eightBitMessage("sender@example.org"));

        assertThat(report.recipients().get(0)).isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(report.dkim()).isEqualTo(new Signing.Unsigned("no DKIM key for example.org or a parent domain"));
        assertThat(server.received().get(0).text()).doesNotContain("DKIM-Signature");
    }
}
