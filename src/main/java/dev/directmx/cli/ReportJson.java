package dev.directmx.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.directmx.delivery.DeliveryReport;
import dev.directmx.dkim.DkimSigner;
import dev.directmx.dkim.Signing;
import dev.directmx.delivery.RecipientOutcome;
import dev.directmx.delivery.Route;
import dev.directmx.delivery.RouteUsed;
import dev.directmx.delivery.SessionLog;
import dev.directmx.smtp.SmtpReply;
import dev.directmx.smtp.TlsInfo;

/** The machine-readable form of a {@link DeliveryReport}, as {@code send --json} prints it. */
public final class ReportJson {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson() {
    }

    public static String toJson(DeliveryReport report) {
        return toTree(report).toPrettyString();
    }

    public static ObjectNode toTree(DeliveryReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("messageId", report.messageId());
        root.put("status", report.allDelivered() ? "delivered" : report.anyDeferred() ? "deferred" : "failed");
        root.put("elapsedMillis", report.elapsed().toMillis());
        root.set("dkim", dkim(report.dkim()));
        ArrayNode recipients = root.putArray("recipients");
        for (RecipientOutcome outcome : report.recipients()) {
            ObjectNode r = recipients.addObject();
            r.put("address", outcome.recipient());
            r.put("status", outcome.status());
            r.put("retryable", outcome.retryable());
            r.put("attempts", outcome.attempts());
            r.set("reply", reply(outcome.reply()));
            r.set("route", route(outcome.route()));
        }
        ArrayNode sessions = root.putArray("sessions");
        for (SessionLog log : report.sessions()) {
            ObjectNode s = sessions.addObject();
            s.put("domain", log.domain());
            s.set("route", route(log.route()));
            s.put("summary", log.summary());
            ArrayNode lines = s.putArray("transcript");
            log.transcript().forEach(lines::add);
        }
        ArrayNode notes = root.putArray("notes");
        report.notes().forEach(notes::add);
        return root;
    }

    /** {"signed": true, "signatures": [{"domain", "selector", "algorithm"}]} or {"signed": false, "reason"}. */
    private static ObjectNode dkim(Signing signing) {
        ObjectNode node = MAPPER.createObjectNode();
        switch (signing) {
            case Signing.Signed signed -> {
                node.put("signed", true);
                ArrayNode signatures = node.putArray("signatures");
                for (DkimSigner.Signature s : signed.signatures()) {
                    signatures.addObject().put("domain", s.domain()).put("selector", s.selector())
                            .put("algorithm", s.algorithm().tag());
                }
            }
            case Signing.Unsigned unsigned -> {
                node.put("signed", false);
                node.put("reason", unsigned.reason());
            }
        }
        return node;
    }

    private static ObjectNode reply(SmtpReply reply) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("code", reply.code());
        node.put("enhancedCode", reply.enhancedCode());
        node.put("text", reply.text());
        node.put("command", reply.command());
        node.put("local", reply.local());
        return node;
    }

    private static ObjectNode route(RouteUsed route) {
        if (route == null) {
            return null;
        }
        ObjectNode node = MAPPER.createObjectNode();
        node.put("mxHost", route.mxHost());
        node.put("address", route.address());
        node.put("port", route.port());
        node.put("kind", route.kind().name());
        node.set("tls", tls(route.tls()));
        return node;
    }

    private static ObjectNode route(Route route) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("mxHost", route.host());
        node.put("address", route.address().getHostAddress());
        node.put("port", route.port().port());
        node.put("kind", route.kind().name());
        node.put("tlsMode", route.tlsMode().name());
        return node;
    }

    private static ObjectNode tls(TlsInfo tls) {
        if (tls == null) {
            return null;
        }
        ObjectNode node = MAPPER.createObjectNode();
        node.put("protocol", tls.protocol());
        node.put("cipher", tls.cipherSuite());
        return node;
    }
}
