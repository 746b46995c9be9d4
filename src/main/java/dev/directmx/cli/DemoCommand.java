package dev.directmx.cli;

import dev.directmx.delivery.AddressPolicy;
import dev.directmx.delivery.Deliverer;
import dev.directmx.delivery.DeliveryReport;
import dev.directmx.delivery.DeliverySettings;
import dev.directmx.delivery.ServicePort;
import dev.directmx.dns.DestinationResolver;
import dev.directmx.dns.DnsServers;
import dev.directmx.message.InvalidMessageException;
import dev.directmx.message.MessageComposer;
import dev.directmx.message.MessageLimits;
import dev.directmx.message.MessageRequest;
import dev.directmx.message.OutboundMessage;
import dev.directmx.sandbox.dns.SandboxZones;
import dev.directmx.sandbox.dns.ZoneDnsServer;
import dev.directmx.sandbox.smtp.ReceivedMessage;
import dev.directmx.sandbox.smtp.ScriptedSmtpServer;
import dev.directmx.smtp.SmtpClient;
import dev.directmx.smtp.StartTls;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/**
 * {@code directmx demo}: the whole delivery path, offline. A DNS zone and a receiving MX with
 * STARTTLS run inside this process on loopback; the seed's message goes from sender@example.com
 * to recipient@example.net through them, and the conversation and the stored message are shown.
 * The zone lists a first MX that is down, as nolisting does, so the fallback is visible too.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a complete delivery offline: a local DNS zone and a local MX with STARTTLS on loopback,",
            "the seed's message from sender@example.com to recipient@example.net, the annotated SMTP",
            "conversation and the message as the receiving server stored it."},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.SOFTWARE)
public final class DemoCommand implements Callable<Integer> {

    /** The seed article's message, word for word. */
    static MessageRequest seedMessage() {
        return new MessageRequest("seed-demo-1", "sender@example.com", null, List.of("recipient@example.net"), List.of(),
                List.of(), List.of(), "This is a sendable email", "Hi there,\nDid it hit the Spam folder?", null,
                Map.of(), List.of());
    }

    @Option(names = "--json", description = "Print the delivery result as JSON instead of the annotated log.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InvalidMessageException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        err.println("demo: starting the recipient's MX (mx2.example.net) with STARTTLS on 127.0.0.1 ...");
        try (ScriptedSmtpServer mx = ScriptedSmtpServer.builder().bind(loopback, 0).hostname("mx2.example.net").start()) {
            // mx1 points at 127.0.0.2, where nothing listens on the MX's port: a dead first MX,
            // as nolisting sets up on purpose, so the fallback to mx2 shows in the log.
            SandboxZones zones = new SandboxZones()
                    .mx("example.net", 10, "mx1.example.net")
                    .mx("example.net", 20, "mx2.example.net")
                    .a("mx1.example.net", "127.0.0.2")
                    .a("mx2.example.net", "127.0.0.1")
                    .a("example.com", "127.0.0.1");
            try (ZoneDnsServer dns = ZoneDnsServer.start(zones)) {
                err.println("demo: serving the example.net zone from a local DNS server at " + dns.hostPort());
                OutboundMessage message = new MessageComposer(Clock.systemUTC(), MessageLimits.defaults()).compose(seedMessage());
                DeliverySettings settings = new DeliverySettings(List.of(new ServicePort(mx.port(), dev.directmx.smtp.TlsMode.STARTTLS)),
                        List.of(), new AddressPolicy(true), StartTls.WHEN_OFFERED, Duration.ofSeconds(30), Duration.ofSeconds(2));
                Deliverer deliverer = new Deliverer(
                        new DestinationResolver(DnsServers.resolver(dns.hostPort(), Duration.ofSeconds(2)), new SecureRandom()),
                        new SmtpClient(SmtpClient.Settings.defaults("example.com")), settings, Clock.systemUTC());
                err.println("demo: delivering the seed's message to recipient@example.net ...");
                DeliveryReport report = deliverer.deliver(message);
                if (json) {
                    out.println(ReportJson.toJson(report));
                } else {
                    new AnnotatedReport(out).print(report);
                    printStored(out, mx.received());
                }
                return ExitCodes.of(report);
            }
        }
    }

    private static void printStored(PrintWriter out, List<ReceivedMessage> received) {
        out.println();
        if (received.isEmpty()) {
            out.println("# ---- the local MX stored nothing");
            return;
        }
        ReceivedMessage stored = received.get(0);
        out.println("# ---- what mx2.example.net stored (" + (stored.tls() ? "received over " + stored.tlsProtocol() : "received without TLS")
                + ", envelope " + stored.mailFrom() + " -> " + String.join(", ", stored.recipients()) + ")");
        out.print(stored.text().replace("\r\n", "\n"));
        out.flush();
    }
}
