package dev.directmx.delivery;

import dev.directmx.dns.DestinationResolver;
import dev.directmx.dns.Destinations;
import dev.directmx.message.Mailbox;
import dev.directmx.smtp.Deadline;
import dev.directmx.smtp.Envelope;
import dev.directmx.smtp.MessageData;
import dev.directmx.smtp.RecipientReply;
import dev.directmx.smtp.SessionResult;
import dev.directmx.smtp.SmtpClient;
import dev.directmx.smtp.SmtpIoException;
import dev.directmx.smtp.SmtpReply;
import dev.directmx.smtp.SmtpTarget;
import dev.directmx.smtp.StartTls;
import dev.directmx.smtp.TlsHandshakeException;
import dev.directmx.smtp.TlsMode;
import dev.directmx.smtp.Transcript;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Delivery to the recipients of one domain: resolve, plan, then one session per route until each
 * recipient is decided. Stateless; each call keeps its state on its own stack.
 */
final class DomainDelivery {

    /** The outcomes for one domain's recipients and the sessions that produced them. */
    record Result(List<RecipientOutcome> outcomes, List<SessionLog> sessions, List<String> notes) {
    }

    private final DestinationResolver dns;
    private final SmtpClient smtp;
    private final DeliverySettings settings;
    private final String mailFrom;
    private final MessageData data;
    private final RoutePlanner planner;

    DomainDelivery(DestinationResolver dns, SmtpClient smtp, DeliverySettings settings, String mailFrom, MessageData data) {
        this.dns = dns;
        this.smtp = smtp;
        this.settings = settings;
        this.mailFrom = mailFrom;
        this.data = data;
        this.planner = new RoutePlanner(settings.ports(), settings.fallbackPorts(), settings.addressPolicy());
    }

    Result deliver(String domain, List<Mailbox> recipients, Deadline deadline) {
        Destinations destinations = dns.resolve(domain, deadline.remaining());
        return switch (destinations) {
            case Destinations.NullMx n -> decideAll(recipients, List.of(), false, SmtpReply.local(556, "5.1.10", "DNS",
                    domain + " publishes a null MX (RFC 7505): it accepts no mail"));
            case Destinations.NoSuchDomain n -> decideAll(recipients, List.of(), false, SmtpReply.local(550, "5.1.2", "DNS",
                    domain + " does not exist (NXDOMAIN); check the recipient's address"));
            case Destinations.TemporaryFailure t -> decideAll(recipients, List.of(), true, SmtpReply.local(451, "4.4.3", "DNS",
                    t.reason()));
            case Destinations.Found found -> walk(found, recipients, deadline);
        };
    }

    private Result decideAll(List<Mailbox> recipients, List<String> notes, boolean deferred, SmtpReply reply) {
        List<RecipientOutcome> outcomes = new ArrayList<>();
        for (Mailbox r : recipients) {
            outcomes.add(deferred ? new RecipientOutcome.Deferred(r.address(), reply, null, 0)
                    : new RecipientOutcome.Failed(r.address(), reply, null, false, 0));
        }
        return new Result(outcomes, List.of(), notes);
    }

    private Result walk(Destinations.Found found, List<Mailbox> recipients, Deadline deadline) {
        RoutePlan plan = planner.plan(found);
        List<String> notes = new ArrayList<>(plan.refused());
        found.mxHosts().stream().filter(h -> h.problem() != null)
                .forEach(h -> notes.add(h.name() + ": " + h.problem()));
        if (plan.routes().isEmpty()) {
            return decideAll(recipients, notes, false, SmtpReply.local(550, "5.4.4", "route",
                    "no usable route to " + found.domain() + ": " + String.join("; ", plan.refused())));
        }
        Walk walk = new Walk(recipients);
        List<SessionLog> sessions = new ArrayList<>();
        for (Route route : plan.routes()) {
            if (walk.pending.isEmpty()) {
                break;
            }
            if (deadline.expired()) {
                walk.transientProblem(SmtpReply.local(451, "4.4.7", "deadline",
                        "message deadline of " + settings.deadline().toSeconds() + " s reached after " + sessions.size()
                                + " of " + plan.routes().size() + " routes"), null);
                break;
            }
            sessions.add(attempt(found.domain(), route, walk, deadline));
        }
        return new Result(walk.outcomes(recipients), sessions, notes);
    }

    /** One route: a session, plus one plaintext retry when the STARTTLS handshake breaks. */
    private SessionLog attempt(String domain, Route route, Walk walk, Deadline deadline) {
        Transcript transcript = new Transcript();
        SmtpTarget target = new SmtpTarget(route.socketAddress(), route.host(), route.tlsMode());
        Envelope envelope = new Envelope(mailFrom, List.copyOf(walk.pending.keySet()), data);
        walk.countAttempt();
        try {
            SessionResult result;
            try {
                result = smtp.deliver(target, envelope, settings.startTls(), deadline, transcript);
            } catch (TlsHandshakeException e) {
                if (route.tlsMode() == TlsMode.IMPLICIT || settings.startTls() == StartTls.REQUIRED) {
                    throw e;
                }
                // Like Postfix: a broken STARTTLS gets one plaintext retry, since opportunistic
                // TLS must never make mail undeliverable (RFC 7435 §3).
                transcript.event("retrying once without STARTTLS after the failed handshake");
                result = smtp.deliver(target, envelope, StartTls.NEVER, deadline, transcript);
            }
            RouteUsed used = RouteUsed.of(route, result.tls());
            int delivered = 0;
            for (RecipientReply reply : result.replies()) {
                if (walk.decide(reply.recipient(), reply.reply(), used)) {
                    delivered++;
                }
            }
            return new SessionLog(domain, route, transcript.asStrings(),
                    summarize(result, delivered));
        } catch (SmtpIoException e) {
            // RFC 3463: 4.4.7 delivery time expired, 4.4.2 bad connection, 4.4.1 no answer from host.
            String code = e.deadlineReached() ? "4.4.7" : e.timeout() ? "4.4.2" : "4.4.1";
            walk.transientProblem(SmtpReply.local(451, code, e.stage(), route + ": " + e.getMessage()), RouteUsed.of(route, null));
            return new SessionLog(domain, route, transcript.asStrings(), "no delivery: " + e.getMessage());
        }
    }

    private static String summarize(SessionResult result, int delivered) {
        if (delivered == result.replies().size()) {
            return "delivered to " + delivered + " recipient" + (delivered == 1 ? "" : "s");
        }
        SmtpReply first = result.replies().stream().map(RecipientReply::reply)
                .filter(r -> !r.isPositive()).findFirst().orElseThrow();
        return delivered + " of " + result.replies().size() + " delivered; " + first.command() + " answered " + first;
    }

    /** The recipients still waiting, the outcomes decided, and the last transient problem of each. */
    private static final class Walk {
        final Map<String, Mailbox> pending = new LinkedHashMap<>();
        final Map<String, RecipientOutcome> decided = new LinkedHashMap<>();
        final Map<String, Integer> attempts = new LinkedHashMap<>();
        final Map<String, SmtpReply> lastProblem = new LinkedHashMap<>();
        final Map<String, RouteUsed> lastRoute = new LinkedHashMap<>();

        Walk(List<Mailbox> recipients) {
            for (Mailbox r : recipients) {
                pending.put(r.envelopeAddress(), r);
                attempts.put(r.envelopeAddress(), 0);
            }
        }

        void countAttempt() {
            pending.keySet().forEach(k -> attempts.merge(k, 1, Integer::sum));
        }

        /** Applies a reply; returns true when it delivered the recipient. */
        boolean decide(String envelopeAddress, SmtpReply reply, RouteUsed route) {
            Mailbox who = pending.get(envelopeAddress);
            if (who == null) {
                return false;
            }
            int tries = attempts.get(envelopeAddress);
            RecipientOutcome outcome = switch (Verdict.of(reply)) {
                case DELIVERED -> new RecipientOutcome.Delivered(who.address(), reply, route, tries);
                case DEFERRED -> new RecipientOutcome.Deferred(who.address(), reply, route, tries);
                case FAILED_RETRYABLE -> new RecipientOutcome.Failed(who.address(), reply, route, true, tries);
                case FAILED_FINAL -> new RecipientOutcome.Failed(who.address(), reply, route, false, tries);
                case NEXT_ROUTE -> null;
            };
            if (outcome == null) {
                lastProblem.put(envelopeAddress, reply);
                lastRoute.put(envelopeAddress, route);
                return false;
            }
            pending.remove(envelopeAddress);
            decided.put(envelopeAddress, outcome);
            return outcome instanceof RecipientOutcome.Delivered;
        }

        void transientProblem(SmtpReply reply, RouteUsed route) {
            for (String key : pending.keySet()) {
                lastProblem.put(key, reply);
                lastRoute.put(key, route);
            }
        }

        /** Decided outcomes, and for every recipient still pending a deferral with its last problem. */
        List<RecipientOutcome> outcomes(List<Mailbox> recipients) {
            List<RecipientOutcome> result = new ArrayList<>();
            for (Mailbox r : recipients) {
                String key = r.envelopeAddress();
                RecipientOutcome outcome = decided.get(key);
                if (outcome == null) {
                    SmtpReply last = lastProblem.getOrDefault(key, SmtpReply.local(451, "4.4.1", "route",
                            "no route could be tried"));
                    outcome = new RecipientOutcome.Deferred(r.address(), last, lastRoute.get(key), attempts.get(key));
                }
                result.add(outcome);
            }
            return result;
        }
    }
}
