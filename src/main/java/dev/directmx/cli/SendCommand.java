package dev.directmx.cli;

import dev.directmx.dkim.MessageSigning;
import dev.directmx.lambda.DeliveryComponents;
import dev.directmx.lambda.DirectmxConfig;
import java.util.HashMap;
import java.util.Map;

import dev.directmx.delivery.Deliverer;
import dev.directmx.delivery.DeliveryReport;
import dev.directmx.delivery.DeliverySettings;
import dev.directmx.dns.DestinationResolver;
import dev.directmx.dns.DnsServers;
import dev.directmx.message.InvalidMessageException;
import dev.directmx.message.MessageComposer;
import dev.directmx.message.MessageLimits;
import dev.directmx.message.MessageRequest;
import dev.directmx.message.OutboundMessage;
import dev.directmx.smtp.SmtpClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code directmx send}: deliver one message now and show what happened. */
@Command(name = "send",
        mixinStandardHelpOptions = true,
        description = {
            "Delivers one message straight to its recipients' MX servers and shows the SMTP conversation.",
            "",
            "Exit status: 0 all delivered; 75 something deferred (try later); 69 something failed and nothing "
                    + "deferred; 65 invalid message or address; 64 usage error."},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.SOFTWARE)
public final class SendCommand implements Callable<Integer> {

    @Option(names = "--message", paramLabel = "FILE.json",
            description = "The message as JSON (see README); the options below override its fields.")
    Path messageFile;

    @Option(names = "--from", paramLabel = "ADDR", description = "Author: 'Name <user@domain>' or user@domain.")
    String from;

    @Option(names = "--envelope-from", paramLabel = "ADDR", description = "Bounce address for MAIL FROM (default: --from).")
    String envelopeFrom;

    @Option(names = "--to", paramLabel = "ADDR", description = "Recipient; repeat for more.")
    List<String> to = new ArrayList<>();

    @Option(names = "--cc", paramLabel = "ADDR", description = "Copy recipient; repeat for more.")
    List<String> cc = new ArrayList<>();

    @Option(names = "--bcc", paramLabel = "ADDR", description = "Blind copy recipient (not shown in headers); repeat for more.")
    List<String> bcc = new ArrayList<>();

    @Option(names = "--reply-to", paramLabel = "ADDR", description = "Reply-To address; repeat for more.")
    List<String> replyTo = new ArrayList<>();

    @Option(names = "--subject", paramLabel = "S", description = "Subject line.")
    String subject;

    @Option(names = "--text", paramLabel = "T", description = "Plain-text body.")
    String text;

    @Option(names = "--html", paramLabel = "H", description = "HTML body (with --text: multipart/alternative).")
    String html;

    @Option(names = "--header", paramLabel = "'Name: value'", description = "Extra header; repeat for more.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--id", paramLabel = "KEY", description = "Client key; the Message-ID derives from it, stable across retries.")
    String id;

    @Option(names = "--json", description = "Print one JSON object with the result per recipient instead of the annotated log.")
    boolean json;

    @Mixin
    DeliveryOptions delivery;

    @Mixin
    DkimOptions dkim;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DeliverySettings settings;
        try {
            settings = delivery.settings();
        } catch (IllegalArgumentException e) {
            err.println("directmx send: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        OutboundMessage message;
        try {
            message = new MessageComposer(Clock.systemUTC(), MessageLimits.defaults()).compose(request());
        } catch (InvalidMessageException e) {
            err.println("directmx send: invalid message: " + e.getMessage());
            return ExitCodes.INVALID_MESSAGE;
        } catch (UsageProblem e) {
            err.println("directmx send: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        Deliverer deliverer;
        try {
            Map<String, String> env = new HashMap<>(System.getenv());
            dkim.overlay(env);
            MessageSigning signing = DeliveryComponents.signing(DirectmxConfig.dkim(env), System.getenv());
            deliverer = deliverer(settings, delivery, signing, message);
        } catch (IllegalArgumentException e) {
            err.println("directmx send: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (!json) {
            err.println("delivering " + message.content().messageId() + " to " + message.recipients().size()
                    + " recipient(s) in " + message.recipientsByDomain().size() + " domain(s), deadline "
                    + settings.deadline().toSeconds() + " s ...");
        }
        DeliveryReport report;
        try (deliverer) {
            report = deliverer.deliver(message);
        }
        if (json) {
            out.println(ReportJson.toJson(report));
        } else {
            new AnnotatedReport(out).print(report);
        }
        return ExitCodes.of(report);
    }

    /** Builds the deliverer the options describe. */
    static Deliverer deliverer(DeliverySettings settings, DeliveryOptions options, MessageSigning signing,
            OutboundMessage message) {
        String helo = options.helo != null ? options.helo : message.sender().asciiDomain();
        DestinationResolver dns = new DestinationResolver(
                DnsServers.resolver(options.dns, DeliveryOptions.duration("--dns-timeout", options.dnsTimeout)), new SecureRandom());
        return new Deliverer(dns, new SmtpClient(SmtpClient.Settings.defaults(helo)), settings, signing,
                Clock.systemUTC());
    }

    private MessageRequest request() throws InvalidMessageException, UsageProblem {
        MessageRequest base = messageFile == null ? null : MessageRequest.fromJson(readFile(messageFile));
        if (base == null && (from == null || (to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) || subject == null)) {
            throw new UsageProblem("give --from, --to and --subject (or --message FILE.json); see 'directmx send --help'");
        }
        Map<String, String> extra = new LinkedHashMap<>(base == null || base.headers() == null ? Map.of() : base.headers());
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new UsageProblem("--header '" + header + "': write it as 'Name: value'");
            }
            extra.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }
        return new MessageRequest(
                pick(id, base == null ? null : base.id()),
                pick(from, base == null ? null : base.from()),
                pick(envelopeFrom, base == null ? null : base.envelopeFrom()),
                pickList(to, base == null ? null : base.to()),
                pickList(cc, base == null ? null : base.cc()),
                pickList(bcc, base == null ? null : base.bcc()),
                pickList(replyTo, base == null ? null : base.replyTo()),
                pick(subject, base == null ? null : base.subject()),
                pick(text, base == null ? null : base.text()),
                pick(html, base == null ? null : base.html()),
                extra,
                base == null || base.attachments() == null ? List.of() : base.attachments());
    }

    private static String readFile(Path file) throws UsageProblem {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageProblem("--message " + file + ": cannot read it (" + e.getMessage() + ")");
        }
    }

    private static String pick(String option, String fromFile) {
        return option != null ? option : fromFile;
    }

    private static List<String> pickList(List<String> option, List<String> fromFile) {
        return !option.isEmpty() ? option : fromFile == null ? List.of() : fromFile;
    }

    /** A command-line mistake found while building the message. */
    static final class UsageProblem extends Exception {
        UsageProblem(String message) {
            super(message);
        }
    }
}
