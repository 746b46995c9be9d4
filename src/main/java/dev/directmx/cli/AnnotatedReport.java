package dev.directmx.cli;

import dev.directmx.delivery.DeliveryReport;
import dev.directmx.delivery.RecipientOutcome;
import dev.directmx.delivery.RouteUsed;
import dev.directmx.delivery.SessionLog;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints a delivery the way the seed's annotated log reads: each SMTP line as it was said, with a
 * {@code #} comment before the steps that say what they mean, then one summary line per
 * recipient.
 */
final class AnnotatedReport {

    private final PrintWriter out;

    AnnotatedReport(PrintWriter out) {
        this.out = out;
    }

    void print(DeliveryReport report) {
        for (String note : report.notes()) {
            out.println("# note: " + note);
        }
        for (SessionLog session : report.sessions()) {
            out.println();
            out.println("# ---- " + session.domain() + " via " + session.route() + " (" + kind(session) + ")");
            String previousClient = "";
            int sentSinceReply = 0;
            for (String line : session.transcript()) {
                String comment = comment(line, previousClient);
                if (line.startsWith("S: ")) {
                    if (sentSinceReply > 1) {
                        comment = "the replies to the " + sentSinceReply + " pipelined commands, in order (PIPELINING, RFC 2920)";
                    }
                    sentSinceReply = 0;
                } else if (line.startsWith("C: ") && !line.startsWith("C: <")) {
                    sentSinceReply++;
                }
                if (comment != null) {
                    out.println("# " + comment);
                }
                if (line.startsWith("*: ")) {
                    continue; // events are printed as comments
                }
                out.println(line.substring(3));
                if (line.startsWith("C: ")) {
                    previousClient = line.substring(3);
                }
            }
            out.println("# result: " + session.summary());
            if (session.summary().startsWith("no delivery")) {
                out.println("# (a dead or refusing MX is normal, e.g. nolisting: try the next route)");
            }
        }
        out.println();
        out.println("# ---- results (" + report.messageId() + ", " + report.elapsed().toMillis() + " ms)");
        out.println("# DKIM: " + report.dkim().describe());
        for (RecipientOutcome outcome : report.recipients()) {
            out.println(summary(outcome));
        }
        out.flush();
    }

    private static String kind(SessionLog session) {
        return switch (session.route().kind()) {
            case MX -> "MX host";
            case IMPLICIT_MX -> "no MX records: the domain itself, RFC 5321 §5.1";
            case DOMAIN_ADDRESS -> "MX hosts failed: the domain's own address";
        };
    }

    static String summary(RecipientOutcome outcome) {
        StringBuilder line = new StringBuilder();
        line.append(outcome.recipient()).append("  ").append(outcome.status().toUpperCase(Locale.ROOT));
        if (outcome instanceof RecipientOutcome.Failed f) {
            line.append(f.retryable() ? " (retryable)" : " (final)");
        }
        line.append("  ").append(outcome.reply());
        if (outcome.reply().local()) {
            line.append(" [decided by directmx]");
        }
        RouteUsed route = outcome.route();
        if (route != null) {
            line.append("  via ").append(route.mxHost()).append(" [").append(route.address()).append("]:").append(route.port());
            line.append(route.tls() == null ? " without TLS" : " " + route.tls().protocol() + " " + route.tls().cipherSuite());
        }
        line.append("  (").append(outcome.attempts()).append(outcome.attempts() == 1 ? " attempt)" : " attempts)");
        return line.toString();
    }

    /** The comment that explains a line, in the seed's voice, or null. */
    private static String comment(String line, String previousClient) {
        if (line.startsWith("*: ")) {
            if (line.startsWith("*: reusing connection")) {
                return line.substring(3) + ": the connection of an earlier message, already greeted and secured,"
                        + " so no greeting, EHLO or TLS handshake this time";
            }
            return line.substring(3);
        }
        String text = line.substring(3);
        String upper = text.toUpperCase(Locale.ROOT);
        if (line.startsWith("C: ")) {
            if (upper.startsWith("EHLO")) {
                return "introduce ourselves; the server answers with the extensions it supports";
            }
            if (upper.startsWith("HELO")) {
                return "the server refused EHLO, so introduce ourselves the old way: no extensions";
            }
            if (upper.equals("STARTTLS")) {
                return "the server offers STARTTLS: switch this connection to encryption";
            }
            if (upper.startsWith("MAIL FROM")) {
                return "who the message is from (where bounces go)"
                        + (upper.contains("BODY=8BITMIME") ? "; BODY=8BITMIME: the body has 8-bit text" : "")
                        + (upper.contains("SMTPUTF8") ? "; SMTPUTF8: addresses are UTF-8" : "")
                        + (upper.contains("SIZE=") ? "; SIZE: the message's size, so the server can refuse early" : "");
            }
            if (upper.startsWith("RCPT TO")) {
                return "a recipient; the server accepts or refuses each one";
            }
            if (upper.equals("DATA")) {
                return "ready to send the message itself";
            }
            if (upper.startsWith("BDAT")) {
                return "send the message in counted chunks (CHUNKING): no dot-stuffing needed";
            }
            if (upper.startsWith("<MESSAGE CHUNK")) {
                return "the message itself: headers, blank line, body, as exactly that many octets";
            }
            if (upper.startsWith("<MESSAGE")) {
                return "the message itself: headers, blank line, body; a line with a single dot ends it";
            }
            if (upper.equals("RSET")) {
                return "abandon the unfinished transaction, so that the connection can carry the next message"
                        + " (RFC 5321 §4.1.1.5)";
            }
            if (upper.equals("QUIT")) {
                return "say goodbye";
            }
            return null;
        }
        if (text.startsWith("220") && previousClient.isEmpty()) {
            return "connected: the server greets us";
        }
        if (text.startsWith("220") && previousClient.equalsIgnoreCase("STARTTLS")) {
            return "the server is ready for the TLS handshake";
        }
        if (text.startsWith("354")) {
            return "the server waits for the message";
        }
        if (previousClient.startsWith("<message") || previousClient.toUpperCase(Locale.ROOT).startsWith("BDAT")) {
            if (text.startsWith("2")) {
                return "accepted: the server now takes responsibility for the message";
            }
            if (text.startsWith("4")) {
                return "refused for now (temporary): we will try again later";
            }
            if (text.startsWith("5")) {
                return "refused; the seed says even this may clear, so it can be retried later";
            }
        }
        if (text.startsWith("4") && previousClient.toUpperCase(Locale.ROOT).startsWith("RCPT")) {
            return "this recipient is refused for now: often greylisting, which clears on a retry";
        }
        return null;
    }
}
