package dev.directmx.sandbox.smtp;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * What a {@link ScriptedSmtpServer} says and how it misbehaves: the immutable result of its
 * builder, shared by every session of one server.
 */
record ServerScript(
        String hostname,
        List<String> extensions,
        Map<SmtpStage, Reply> replies,
        Map<String, Reply> rcptReplies,
        Map<SmtpStage, Duration> delays,
        SocketPolicy policy,
        int policyAfter,
        Duration idleTimeout,
        boolean implicitTls,
        SSLContext tls,
        Greylist greylist) {

    ServerScript {
        extensions = List.copyOf(extensions);
        replies = Map.copyOf(replies);
        rcptReplies = Map.copyOf(rcptReplies);
        delays = Map.copyOf(delays);
    }

    /**
     * The socket policy in force now: {@link SocketPolicy#NORMAL} until the server has accepted
     * {@code policyAfter} messages, the scripted one from then on.
     */
    SocketPolicy policy(ServerState state) {
        return state.receivedCount() < policyAfter ? SocketPolicy.NORMAL : policy;
    }

    /** The canned reply for {@code stage}, or {@code standard} when the script has none. */
    Reply reply(SmtpStage stage, Reply standard) {
        return replies.getOrDefault(stage, standard);
    }

    /** The reply to RCPT for {@code address}: per recipient first, then per stage, then 250. */
    Reply rcptReply(String address) {
        Reply perRecipient = rcptReplies.get(address.toLowerCase(Locale.ROOT));
        return perRecipient != null ? perRecipient : reply(SmtpStage.RCPT, Reply.of(250, "2.1.5 OK"));
    }

    /** The canned reply for {@code stage}, or {@code null} when the script has none. */
    Reply canned(SmtpStage stage) {
        return replies.get(stage);
    }

    Duration delay(SmtpStage stage) {
        return delays.getOrDefault(stage, Duration.ZERO);
    }

    /** The extensions EHLO lists: STARTTLS only while the connection is still plaintext. */
    List<String> advertised(boolean inTls) {
        return extensions.stream().filter(e -> !(inTls && keyword(e).equals("STARTTLS"))).toList();
    }

    boolean advertises(String keyword, boolean inTls) {
        return advertised(inTls).stream().anyMatch(e -> keyword(e).equalsIgnoreCase(keyword));
    }

    /**
     * Refuses parameters of extensions the server did not advertise (RFC 5321 §4.1.1.11: 555) and
     * non-ASCII addresses outside an SMTPUTF8 transaction (RFC 6531 §3.5: 553 5.6.7).
     *
     * @return the refusal, or {@code null} when the path is acceptable
     */
    Reply refusal(MailPath path, boolean smtpUtf8, boolean inTls) {
        for (String keyword : path.keywords()) {
            if (!advertises(extensionOf(keyword), inTls)) {
                return Reply.of(555, "5.5.4 unsupported parameter " + keyword);
            }
        }
        if (!smtpUtf8 && !path.asciiAddress()) {
            return Reply.of(553, "5.6.7 non-ASCII address without SMTPUTF8");
        }
        return null;
    }

    /** Whether {@code octets} is above the advertised SIZE (RFC 1870 §6). */
    boolean exceedsSize(long octets) {
        long limit = sizeLimit();
        return limit > 0 && octets > limit;
    }

    /** The extension that defines a MAIL or RCPT parameter. */
    private static String extensionOf(String parameter) {
        return switch (parameter) {
            case "BODY" -> "8BITMIME"; // RFC 6152
            case "RET", "ENVID", "NOTIFY", "ORCPT" -> "DSN"; // RFC 3461
            default -> parameter; // SIZE, SMTPUTF8, REQUIRETLS... are named after their extension.
        };
    }

    /** The fixed maximum message size from {@code SIZE n} (RFC 1870), or 0 for no limit. */
    private long sizeLimit() {
        for (String extension : extensions) {
            String[] words = extension.trim().split(" +");
            if (words[0].equalsIgnoreCase("SIZE") && words.length > 1 && words[1].matches("[0-9]{1,18}")) {
                return Long.parseLong(words[1]);
            }
        }
        return 0;
    }

    private static String keyword(String extension) {
        return extension.trim().split(" ", 2)[0].toUpperCase(Locale.ROOT);
    }
}
