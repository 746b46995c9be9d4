package dev.directmx.sandbox.smtp;

import java.io.IOException;

/**
 * Answers the commands of mail transactions on one connection (RFC 5321 §3.3): MAIL and RCPT
 * build the envelope, DATA (§4.1.1.4) or BDAT (RFC 3030) carry the message, and the END_OF_DATA
 * reply decides whether it is received. The DATA and BDAT socket policies act here.
 *
 * <p>One instance per session, confined to the session's thread; it holds at most one open
 * {@link MailTransaction}.
 */
final class MailTransactions {

    private final ServerScript script;
    private final ServerState state;
    private final Connection connection;
    private MailTransaction transaction;

    MailTransactions(ServerScript script, ServerState state, Connection connection) {
        this.script = script;
        this.state = state;
        this.connection = connection;
    }

    /** Abandons the open transaction, if any (RSET, EHLO, HELO, STARTTLS). */
    void reset() {
        transaction = null;
    }

    /** Answers MAIL FROM; a 2xx reply opens a transaction. */
    Reply mail(String argument, boolean greeted) {
        MailPath sender = MailPath.parse(argument, "FROM:");
        if (!greeted) {
            return Reply.of(503, "5.5.1 send EHLO or HELO first");
        } else if (transaction != null) {
            return Reply.of(503, "5.5.1 nested MAIL command");
        } else if (sender == null) {
            return Reply.of(501, "5.5.4 syntax: MAIL FROM:<address>");
        }
        Reply refusal = script.refusal(sender, sender.keywords().contains("SMTPUTF8"), connection.inTls());
        if (refusal != null) {
            return refusal;
        }
        // RFC 1870 §6.2: a declared size above the fixed maximum is refused at once.
        String declared = sender.value("SIZE");
        if (declared != null && declared.matches("[0-9]{1,18}") && script.exceedsSize(Long.parseLong(declared))) {
            return Reply.of(552, "5.3.4 message size exceeds fixed maximum message size");
        }
        Reply reply = script.reply(SmtpStage.MAIL, Reply.of(250, "2.1.0 OK"));
        if (reply.positive()) {
            transaction = new MailTransaction(sender);
        }
        return reply;
    }

    /** Answers RCPT TO; a 2xx reply adds the recipient to the transaction. */
    Reply rcpt(String argument) {
        MailPath recipient = MailPath.parse(argument, "TO:");
        if (transaction == null) {
            return Reply.of(503, "5.5.1 need MAIL command");
        } else if (recipient == null || recipient.address().isEmpty()) {
            return Reply.of(501, "5.5.4 syntax: RCPT TO:<address>");
        }
        Reply refusal = script.refusal(recipient, transaction.smtpUtf8(), connection.inTls());
        if (refusal != null) {
            return refusal;
        }
        Reply reply = script.greylist() == null ? null
                : script.greylist().check(transaction.sender().address(), recipient.address());
        if (reply == null) {
            reply = script.rcptReply(recipient.address());
        }
        transaction.recipient(recipient.address(), reply.positive());
        return reply;
    }

    /** Answers DATA, reads the message after a 354 and answers its end. */
    void data(boolean usedHelo) throws IOException {
        Reply refusal = notReadyForData();
        if (refusal == null && transaction.bdatStarted()) {
            refusal = Reply.of(503, "5.5.1 DATA after BDAT");
        }
        Reply reply = refusal != null
                ? refusal
                : script.reply(SmtpStage.DATA, Reply.of(354, "End data with <CR><LF>.<CR><LF>"));
        connection.pause(script.delay(SmtpStage.DATA));
        connection.write(reply);
        if (reply.code() != 354) {
            return;
        }
        if (script.policy(state) == SocketPolicy.DISCONNECT_IN_DATA) {
            connection.input().readLine(Integer.MAX_VALUE);
            disconnectInData();
            return;
        }
        byte[] data = connection.input().readDotStuffed();
        state.log("C: [message data, " + data.length + " octets, then the final dot]");
        endOfData(data, usedHelo);
    }

    /**
     * Answers BDAT. A chunk is read whole even when it is refused, so that the next command is
     * found where the client put it (RFC 3030 §3).
     */
    void bdat(String argument, boolean usedHelo) throws IOException {
        String[] words = argument.split(" +");
        boolean last = words.length == 2 && words[1].equalsIgnoreCase("LAST");
        if (!words[0].matches("[0-9]{1,9}") || words.length > 2 || (words.length == 2 && !last)) {
            // Without a size the chunk cannot be skipped: the client and server are out of step now.
            send(SmtpStage.BDAT, Reply.of(501, "5.5.4 syntax: BDAT size [LAST]"));
            return;
        }
        int size = Integer.parseInt(words[0]);
        Reply refusal = script.advertises("CHUNKING", connection.inTls())
                ? notReadyForData()
                : Reply.of(502, "5.5.1 CHUNKING not offered");
        if (refusal != null) {
            connection.input().skip(size);
            state.log("C: [BDAT chunk, " + size + " octets, discarded]");
            send(SmtpStage.BDAT, refusal);
        } else if (script.policy(state) == SocketPolicy.DISCONNECT_IN_DATA) {
            connection.input().skip(size / 2);
            disconnectInData();
        } else {
            chunk(size, last, usedHelo);
        }
    }

    private void chunk(int size, boolean last, boolean usedHelo) throws IOException {
        transaction.appendChunk(connection.input().readExactly(size));
        state.log("C: [BDAT chunk, " + size + " octets]");
        if (last) {
            endOfData(transaction.chunks(), usedHelo);
            return;
        }
        Reply reply = script.reply(SmtpStage.BDAT, Reply.of(250, "2.0.0 " + size + " octets received"));
        if (!reply.positive()) {
            // RFC 3030 §2: a refused chunk fails the whole transaction.
            transaction = null;
        }
        send(SmtpStage.BDAT, reply);
    }

    /** The refusal of DATA or BDAT in the current state, or {@code null} if data may come. */
    private Reply notReadyForData() {
        if (transaction == null) {
            return Reply.of(503, "5.5.1 need MAIL command");
        } else if (!transaction.recipientTried()) {
            return Reply.of(503, "5.5.1 need RCPT command");
        } else if (!transaction.hasRecipients()) {
            return Reply.of(554, "5.5.1 no valid recipients");
        }
        return null;
    }

    private void disconnectInData() throws IOException {
        state.log("* hanging up in the middle of the message data (DISCONNECT_IN_DATA)");
        transaction = null;
        connection.hangUp();
    }

    /**
     * Answers the end of the data. An accepted message joins {@code received()} before the reply
     * is written, so a client that has read the 2xx finds it there.
     */
    private void endOfData(byte[] data, boolean usedHelo) throws IOException {
        ReceivedMessage message = transaction.toMessage(data, connection.tlsProtocol(), usedHelo);
        transaction = null;
        if (script.policy(state) == SocketPolicy.STALL_AFTER_DATA) {
            state.log("* never answering the end of data (STALL_AFTER_DATA)");
            connection.drain();
            return;
        }
        if (script.policy(state) == SocketPolicy.DISCONNECT_AFTER_DATA) {
            state.log("* hanging up instead of answering the end of data (DISCONNECT_AFTER_DATA)");
            connection.hangUp();
            return;
        }
        connection.pause(script.delay(SmtpStage.END_OF_DATA));
        Reply reply = script.exceedsSize(data.length)
                ? Reply.of(552, "5.3.4 message size exceeds fixed maximum message size")
                : script.canned(SmtpStage.END_OF_DATA);
        if (reply == null) {
            reply = Reply.of(250, "2.0.0 OK queued as " + String.format("SBX%06d", state.accept(message)));
        } else if (reply.positive()) {
            state.accept(message);
        }
        connection.write(reply);
    }

    private void send(SmtpStage stage, Reply reply) throws IOException {
        connection.pause(script.delay(stage));
        connection.write(reply);
    }
}
