package dev.directmx.smtp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One mail transaction (RFC 5321 §3.3) on an open session: MAIL, the RCPTs, then DATA or BDAT,
 * pipelined when the server offers PIPELINING. Besides a reply for every recipient it decides
 * whether the transaction ended cleanly, which is what lets the session carry another: the reply
 * to the final dot or BDAT LAST was read, or the transaction was reset with RSET. One instance per
 * transaction.
 */
final class Transaction {

    /** BDAT chunk size: large enough to be efficient, small enough that each chunk's reply bounds a stall. */
    static final int BDAT_CHUNK = 1024 * 1024;
    /** Body octets written per block, each under the data-block timeout (RFC 5321 §4.5.3.2.5). */
    private static final int DATA_BLOCK = 64 * 1024;

    /**
     * @param replies one per envelope recipient, in envelope order
     * @param clean whether the server is back in its initial state with a definite answer given,
     *     so that the session may carry another transaction
     */
    record Result(List<RecipientReply> replies, boolean clean) {
    }

    private final OpenSession session;
    private final SmtpConnection connection;
    private final Envelope envelope;
    private final SmtpTimeouts timeouts;
    private final Transcript transcript;
    private final boolean reused;
    private final BooleanSupplier keepAlive;
    private final Capabilities capabilities;
    private final String hostName;
    /** Whether the reply to the final dot or to BDAT LAST has been read: the transaction is over. */
    private boolean ended;

    /**
     * @param reused whether the session carried an earlier transaction (and so may have died idle)
     * @param keepAlive whether the session may carry another transaction after this one; when it
     *     may not, an unfinished transaction is not reset (QUIT ends it anyway)
     */
    Transaction(OpenSession session, String hostName, Envelope envelope, SmtpTimeouts timeouts, Transcript transcript,
            boolean reused, BooleanSupplier keepAlive) {
        this.session = session;
        this.connection = session.connection();
        this.capabilities = session.capabilities();
        this.hostName = hostName;
        this.envelope = envelope;
        this.timeouts = timeouts;
        this.transcript = transcript;
        this.reused = reused;
        this.keepAlive = keepAlive;
    }

    /**
     * @throws StaleConnection when this reused session proved dead before the server accepted anything
     * @throws SmtpIoException on a transport failure, timeout or the deadline: the outcome is unknown
     */
    Result run() throws SmtpIoException, StaleConnection {
        session.beginTransaction();
        Body body;
        try {
            body = chooseBody();
        } catch (Refusal refusal) {
            // Decided before a command was sent: the session is as clean as it was.
            return new Result(everyone(refusal.reply()), true);
        }
        try {
            List<RecipientReply> replies = exchange(body);
            return new Result(replies, ended || (keepAlive.getAsBoolean() && reset()));
        } catch (Refusal refusal) {
            return new Result(everyone(refusal.reply()), keepAlive.getAsBoolean() && reset());
        }
    }

    private List<RecipientReply> everyone(SmtpReply reply) {
        List<RecipientReply> replies = new ArrayList<>();
        for (String recipient : envelope.recipients()) {
            replies.add(new RecipientReply(recipient, reply));
        }
        return replies;
    }

    /** The octets to send: 8-bit as composed, or re-encoded when the server lacks 8BITMIME. */
    private Body chooseBody() throws Refusal {
        MessageData data = envelope.data();
        // RFC 6531 §3.4: UTF-8 addresses or headers may only go to a server that offers SMTPUTF8.
        if (data.needsSmtpUtf8() && !capabilities.has(Capabilities.SMTPUTF8)) {
            throw new Refusal(SmtpReply.local(SmtpCodes.C553_MAILBOX_NAME, "5.6.7", "MAIL",
                    "the message has UTF-8 addresses and needs SMTPUTF8 (RFC 6531), which " + hostName
                            + " does not offer"));
        }
        Body body = new Body(data.bytes(), data.eightBit());
        if (data.eightBit() && !capabilities.has(Capabilities.EIGHT_BIT_MIME)) {
            // RFC 6152 §3: 8-bit data may only be sent to a server that announced 8BITMIME.
            body = new Body(data.sevenBit().get(), false);
            transcript.event("server lacks 8BITMIME: body re-encoded to 7-bit (" + body.octets().length + " octets)");
        }
        long limit = capabilities.sizeLimit().orElse(Long.MAX_VALUE);
        if (body.octets().length > limit) {
            // RFC 1870 §6: a message over the announced SIZE would be refused anyway.
            throw new Refusal(SmtpReply.local(SmtpCodes.C552_STORAGE_EXCEEDED, "5.3.4", "MAIL",
                    "the message is " + body.octets().length + " octets, over the " + limit + " octets "
                            + hostName + " accepts (SIZE)"));
        }
        return body;
    }

    private String mailCommand(Body body) {
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(envelope.mailFrom()).append('>');
        if (body.eightBit()) {
            mail.append(" BODY=8BITMIME");
        }
        if (envelope.data().needsSmtpUtf8()) {
            mail.append(" SMTPUTF8");
        }
        if (capabilities.has(Capabilities.SIZE)) {
            mail.append(" SIZE=").append(body.octets().length);
        }
        return mail.toString();
    }

    private List<RecipientReply> exchange(Body body) throws SmtpIoException, Refusal, StaleConnection {
        boolean pipelining = capabilities.has(Capabilities.PIPELINING);
        boolean chunking = capabilities.has(Capabilities.CHUNKING);
        // RFC 2920 §3.1: MAIL, the RCPTs and DATA may be sent as one group; replies come in order.
        // BDAT is not pipelined with them: it would put message octets on the wire before any
        // reply proved the connection alive, and then a dead reused connection could no longer be
        // retried safely. With or without it a reused session takes two round trips per message.
        boolean dataSent = pipelining && !chunking;
        SmtpReply mail = firstGroup(body, pipelining, dataSent);
        Map<String, SmtpReply> rcptReplies = new LinkedHashMap<>();
        if (pipelining) {
            for (String recipient : envelope.recipients()) {
                rcptReplies.put(recipient, connection.readReply("RCPT", timeouts.rcpt()));
            }
            if (!mail.isPositive()) {
                if (dataSent) {
                    abandonData(connection.readReply("DATA", timeouts.dataInit()));
                }
                throw new Refusal(mail);
            }
        } else {
            if (!mail.isPositive()) {
                throw new Refusal(mail);
            }
            for (String recipient : envelope.recipients()) {
                connection.send("RCPT TO:<" + recipient + ">");
                connection.flush("RCPT");
                rcptReplies.put(recipient, connection.readReply("RCPT", timeouts.rcpt()));
            }
        }
        boolean anyAccepted = rcptReplies.values().stream().anyMatch(SmtpReply::isPositive);
        SmtpReply finalReply = null;
        if (!anyAccepted) {
            if (dataSent) {
                abandonData(connection.readReply("DATA", timeouts.dataInit()));
            }
        } else if (chunking) {
            finalReply = sendBdat(body.octets());
        } else {
            finalReply = sendData(body.octets(), dataSent);
        }
        List<RecipientReply> replies = new ArrayList<>();
        for (String recipient : envelope.recipients()) {
            SmtpReply rcpt = rcptReplies.get(recipient);
            replies.add(new RecipientReply(recipient, rcpt.isPositive() ? finalReply : rcpt));
        }
        return replies;
    }

    /**
     * Sends MAIL (and, pipelining, the RCPTs and DATA with it) and reads the reply to MAIL. On a
     * reused session, a failure here that is not a timeout, or a 421, means the server had closed
     * the session while it was idle: nothing was accepted, no message octet was sent, and the
     * transaction can safely be retried on a new connection.
     */
    private SmtpReply firstGroup(Body body, boolean pipelining, boolean sendData)
            throws SmtpIoException, StaleConnection {
        SmtpReply mail;
        try {
            connection.send(mailCommand(body));
            if (pipelining) {
                for (String recipient : envelope.recipients()) {
                    connection.send("RCPT TO:<" + recipient + ">");
                }
                if (sendData) {
                    connection.send("DATA");
                }
            }
            connection.flush("MAIL");
            mail = connection.readReply("MAIL", timeouts.mail());
        } catch (SmtpIoException e) {
            if (reused && !e.timeout()) {
                throw new StaleConnection(e.getMessage());
            }
            throw e;
        }
        if (reused && mail.code() == SmtpCodes.C421_SERVICE_UNAVAILABLE) {
            throw new StaleConnection("the server answered MAIL with " + mail);
        }
        return mail;
    }

    /**
     * A pipelined DATA after every RCPT failed should get 503 or 554 (RFC 2920 §3.1). A server
     * that says 354 anyway gets an empty message ended at once, which it must then refuse.
     */
    private void abandonData(SmtpReply dataReply) throws SmtpIoException {
        if (dataReply.code() == SmtpCodes.C354_START_INPUT) {
            connection.send(".");
            connection.flush("DATA");
            connection.readReply("DATA", timeouts.dataTermination());
            ended = true;
        }
    }

    private SmtpReply sendData(byte[] body, boolean dataAlreadySent) throws SmtpIoException {
        if (!dataAlreadySent) {
            connection.send("DATA");
            connection.flush("DATA");
        }
        SmtpReply go = connection.readReply("DATA", timeouts.dataInit());
        if (go.code() != SmtpCodes.C354_START_INPUT) {
            return go;
        }
        byte[] wire = DotStuffing.forData(body);
        transcript.client("<message: " + body.length + " octets, dot-stuffed, ending with CRLF.CRLF>");
        for (int offset = 0; offset < wire.length; offset += DATA_BLOCK) {
            connection.sendBody(wire, offset, Math.min(DATA_BLOCK, wire.length - offset), "DATA", timeouts.dataBlock());
        }
        connection.flush("DATA");
        // RFC 5321 §4.5.3.2.6: the server may take a long time to answer the final dot.
        SmtpReply reply = connection.readReply("end of data", timeouts.dataTermination());
        ended = true;
        return reply;
    }

    /** RFC 3030 §2: BDAT sends the message in counted chunks, the last marked LAST; no dot-stuffing. */
    private SmtpReply sendBdat(byte[] body) throws SmtpIoException {
        byte[] wire = DotStuffing.canonical(body);
        int offset = 0;
        do {
            int length = Math.min(BDAT_CHUNK, wire.length - offset);
            boolean last = offset + length >= wire.length;
            connection.send("BDAT " + length + (last ? " LAST" : ""));
            transcript.client("<message chunk: " + length + " octets>");
            connection.sendBody(wire, offset, length, "BDAT", timeouts.dataBlock());
            connection.flush("BDAT");
            SmtpReply reply = connection.readReply(last ? "end of data" : "BDAT",
                    last ? timeouts.dataTermination() : timeouts.dataBlock());
            if (last) {
                ended = true;
            }
            if (last || !reply.isPositive()) {
                return reply;
            }
            offset += length;
        } while (true);
    }

    /**
     * RFC 5321 §4.1.1.5: RSET aborts a transaction that did not reach its end (MAIL refused, every
     * RCPT refused, DATA or a BDAT chunk refused), so that the session may carry the next one. The
     * recipients' outcome is already decided, so a failure here only means the session is closed.
     *
     * @return whether the server confirmed the reset
     */
    private boolean reset() {
        if (!connection.healthy()) {
            return false;
        }
        try {
            connection.send("RSET");
            connection.flush("RSET");
            return connection.readReply("RSET", timeouts.command()).isPositive();
        } catch (SmtpIoException e) {
            return false;
        }
    }

    /** The octets a transaction sends, and whether they are 8-bit (and so need BODY=8BITMIME). */
    private record Body(byte[] octets, boolean eightBit) {
    }
}
