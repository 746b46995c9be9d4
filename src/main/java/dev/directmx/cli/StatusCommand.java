package dev.directmx.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.directmx.store.Attempt;
import dev.directmx.store.OutcomeStore;
import dev.directmx.store.StoredMessage;
import dev.directmx.store.StoredRecipient;
import dev.directmx.store.StoredRoute;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code directmx status KEY}: the seed's "show the results" step, from the outcome store. */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Shows one message's stored outcome per recipient: status, attempts, the last reply, the route and TLS.",
            "KEY is the message's \"id\" when it had one, otherwise its Message-ID; rejected bodies are",
            "stored as rejected:<SQS message id>.",
            "",
            "Exit status: 0 found; 66 no such message; 64 usage error."},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.SOFTWARE)
public final class StatusCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "KEY", description = "The message's id, or its Message-ID.")
    String key;

    @Option(names = "--json", description = "Print the stored records as JSON.")
    boolean json;

    @Mixin
    StoreOptions storeOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<StoredMessage> found;
        try (OutcomeStore store = storeOptions.open()) {
            found = store.find(key);
        } catch (IllegalArgumentException e) {
            err.println("directmx status: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (found.isEmpty()) {
            err.println("directmx status: no message with key '" + key + "' in the store; the key is the message's id, "
                    + "or its Message-ID when it had none");
            return ExitCodes.NOT_FOUND;
        }
        if (json) {
            out.println(toJson(found.get()).toPrettyString());
        } else {
            print(out, found.get());
        }
        out.flush();
        return ExitCodes.OK;
    }

    static void print(PrintWriter out, StoredMessage m) {
        out.println("# message " + m.key() + (m.messageId() == null ? "" : " " + m.messageId())
                + (m.sender() == null ? "" : " from " + m.sender())
                + (m.subject() == null ? "" : ", \"" + m.subject() + "\""));
        out.println("# " + m.status().name().toLowerCase(Locale.ROOT) + " after " + m.attempts() + " run"
                + (m.attempts() == 1 ? "" : "s") + "; first seen " + m.firstSeen() + ", updated " + m.updatedAt());
        if (m.error() != null) {
            out.println("# rejected: " + m.error());
            out.println("# the body, whole, is in the dead-letter queue; it began: " + m.bodyExcerpt());
        }
        for (StoredRecipient r : m.recipients()) {
            StringBuilder line = new StringBuilder(r.address()).append("  ").append(r.status().name());
            if (r.status().name().equals("FAILED")) {
                line.append(r.finalOutcome() ? " (final)" : " (will retry)");
            }
            Attempt last = r.lastAttempt();
            if (last != null) {
                line.append("  ").append(last.code()).append(last.enhancedCode() == null ? "" : " " + last.enhancedCode())
                        .append(' ').append(last.text());
                line.append(route(last.route()));
                if (last.dkim() != null) {
                    line.append("  DKIM ").append(last.dkim());
                }
            }
            line.append("  (").append(r.attempts()).append(r.attempts() == 1 ? " attempt" : " attempts");
            if (r.deliveredAt() != null) {
                line.append(", delivered ").append(r.deliveredAt());
            }
            out.println(line.append(')'));
            for (Attempt a : r.history()) {
                out.println("#   " + a.at() + "  " + a.status().wire() + "  " + a.code()
                        + (a.enhancedCode() == null ? "" : " " + a.enhancedCode()) + " " + a.text() + route(a.route()));
            }
        }
    }

    private static String route(StoredRoute route) {
        if (route == null) {
            return "";
        }
        return "  via " + route.mxHost() + " [" + route.address() + "]:" + route.port()
                + (route.tlsProtocol() == null ? " without TLS" : " " + route.tlsProtocol() + " " + route.tlsCipher());
    }

    static ObjectNode toJson(StoredMessage m) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("key", m.key());
        root.put("messageId", m.messageId());
        root.put("sender", m.sender());
        root.put("subject", m.subject());
        root.put("status", m.status().name().toLowerCase(Locale.ROOT));
        root.put("attempts", m.attempts());
        root.put("firstSeen", text(m.firstSeen()));
        root.put("updatedAt", text(m.updatedAt()));
        root.put("expiresAt", text(m.expiresAt()));
        root.put("error", m.error());
        ArrayNode recipients = root.putArray("recipients");
        for (StoredRecipient r : m.recipients()) {
            ObjectNode node = recipients.addObject();
            node.put("address", r.address());
            node.put("status", r.status().wire());
            node.put("final", r.finalOutcome());
            node.put("attempts", r.attempts());
            node.put("deliveredAt", text(r.deliveredAt()));
            node.put("firstFailedAt", text(r.firstFailedAt()));
            node.set("lastAttempt", attempt(mapper, r.lastAttempt()));
            ArrayNode history = node.putArray("history");
            r.history().forEach(a -> history.add(attempt(mapper, a)));
        }
        return root;
    }

    private static ObjectNode attempt(ObjectMapper mapper, Attempt a) {
        if (a == null) {
            return null;
        }
        ObjectNode node = mapper.createObjectNode();
        node.put("at", text(a.at()));
        node.put("status", a.status().wire());
        node.put("final", a.finalOutcome());
        ObjectNode reply = node.putObject("reply");
        reply.put("code", a.code());
        reply.put("enhancedCode", a.enhancedCode());
        reply.put("text", a.text());
        reply.put("command", a.command());
        node.put("dkim", a.dkim());
        if (a.route() != null) {
            ObjectNode route = node.putObject("route");
            route.put("mxHost", a.route().mxHost());
            route.put("address", a.route().address());
            route.put("port", a.route().port());
            if (a.route().tlsProtocol() != null) {
                ObjectNode tls = route.putObject("tls");
                tls.put("protocol", a.route().tlsProtocol());
                tls.put("cipher", a.route().tlsCipher());
            }
        }
        return node;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
