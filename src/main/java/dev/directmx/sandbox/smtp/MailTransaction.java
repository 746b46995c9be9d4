package dev.directmx.sandbox.smtp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one mail transaction, from an accepted MAIL FROM until the end of the data, RSET,
 * a new EHLO/HELO or STARTTLS (RFC 5321 §3.3). One instance per transaction; session-confined.
 */
final class MailTransaction {

    private final MailPath sender;
    private final List<String> recipients = new ArrayList<>();
    private final ByteArrayOutputStream chunks = new ByteArrayOutputStream();
    private boolean recipientTried;
    private boolean bdatStarted;

    MailTransaction(MailPath sender) {
        this.sender = sender;
    }

    MailPath sender() {
        return sender;
    }

    boolean smtpUtf8() {
        return sender.keywords().contains("SMTPUTF8");
    }

    /** Notes a RCPT command; {@code accepted} when its reply was 2xx. */
    void recipient(String address, boolean accepted) {
        recipientTried = true;
        if (accepted) {
            recipients.add(address);
        }
    }

    boolean recipientTried() {
        return recipientTried;
    }

    boolean hasRecipients() {
        return !recipients.isEmpty();
    }

    boolean bdatStarted() {
        return bdatStarted;
    }

    void appendChunk(byte[] chunk) {
        bdatStarted = true;
        chunks.writeBytes(chunk);
    }

    byte[] chunks() {
        return chunks.toByteArray();
    }

    ReceivedMessage toMessage(byte[] data, String tlsProtocol, boolean usedHelo) {
        return new ReceivedMessage(
                sender.address(), sender.parameters(), recipients, data, tlsProtocol != null, tlsProtocol,
                bdatStarted, usedHelo);
    }
}
