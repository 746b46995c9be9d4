package dev.directmx.message;

import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The header fields of a message, rendered once so that the 8-bit and the 7-bit forms of
 * the message carry the same ones. Angus adds MIME-Version, Content-Type and
 * Content-Transfer-Encoding; Bcc is never written (RFC 5322 §3.6.3 allows leaving it out).
 */
final class MessageHeaders {

    /** RFC 5322 §3.6.3: a message whose recipients are all blind may name an empty group in To. */
    static final String UNDISCLOSED_RECIPIENTS = "undisclosed-recipients:;";

    /** One header field; {@code value} is folded and ready to write. */
    record Header(String name, String value) {
    }

    private MessageHeaders() {
    }

    static List<Header> build(ValidatedMessage m, String messageId, String date) throws InvalidMessageException {
        boolean utf8 = m.utf8Headers();
        List<Header> headers = new ArrayList<>();
        headers.add(new Header("Date", date));
        headers.add(addresses("From", List.of(new Addresses.Single(m.sender())), utf8, "from"));
        if (!m.replyTo().isEmpty()) {
            headers.add(addresses("Reply-To", m.replyTo(), utf8, "replyTo"));
        }
        headers.add(m.request().to().isEmpty() ? new Header("To", UNDISCLOSED_RECIPIENTS)
                : addresses("To", m.to(), utf8, "to"));
        if (!m.cc().isEmpty()) {
            headers.add(addresses("Cc", m.cc(), utf8, "cc"));
        }
        headers.add(new Header("Message-ID", messageId));
        headers.add(new Header("Subject", HeaderText.unstructured("Subject", m.request().subject(), utf8, true,
                "subject")));
        for (Map.Entry<String, String> extra : m.request().headers().entrySet()) {
            String name = extra.getKey();
            headers.add(new Header(name, HeaderText.unstructured(name, extra.getValue(), utf8, false,
                    "headers." + name)));
        }
        return List.copyOf(headers);
    }

    private static Header addresses(String name, List<Addresses.Entry> entries, boolean utf8, String field)
            throws InvalidMessageException {
        List<String> rendered = new ArrayList<>(entries.size());
        for (Addresses.Entry entry : entries) {
            rendered.add(switch (entry) {
                case Addresses.Single single -> mailbox(single.mailbox(), utf8);
                case Addresses.Group group -> group(group, utf8);
            });
        }
        return new Header(name, HeaderText.folded(name, String.join(", ", rendered), field));
    }

    /**
     * A mailbox as Angus formats it. Without UTF-8 headers the domain is the A-label and a
     * non-ASCII display name an RFC 2047 encoded-word; with them (RFC 6532) both stay
     * Unicode and the name is quoted where needed.
     */
    private static String mailbox(Mailbox mailbox, boolean utf8) {
        String address = utf8 ? mailbox.address() : mailbox.localPart() + "@" + mailbox.asciiDomain();
        if (mailbox.displayName() == null) {
            return address;
        }
        try {
            InternetAddress formatted = new InternetAddress(address, mailbox.displayName(), "UTF-8");
            return utf8 ? formatted.toUnicodeString() : formatted.toString();
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }

    /** {@code name: member, member;}, with the name as written (encoded if it is not ASCII). */
    private static String group(Addresses.Group group, boolean utf8) {
        String name = group.name();
        if (!utf8 && !Text.isAscii(name)) {
            try {
                name = MimeUtility.encodeWord(name, "UTF-8", null);
            } catch (UnsupportedEncodingException e) {
                throw new IllegalStateException("UTF-8 is always supported", e);
            }
        }
        List<String> members = new ArrayList<>(group.members().size());
        for (Mailbox member : group.members()) {
            members.add(mailbox(member, utf8));
        }
        return name + ":" + (members.isEmpty() ? "" : " " + String.join(", ", members)) + ";";
    }
}
