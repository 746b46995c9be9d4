package dev.directmx.message;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentDisposition;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.ParameterList;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Writes a message with Angus Mail: builds the MimeMessage tree, lets Angus encode and
 * write it, and normalises the result to CRLF.
 *
 * <p>Structure: text or html alone is a single part; both are multipart/alternative with
 * the text first (RFC 2046 §5.1.4: the preferred form last); attachments wrap the body in
 * multipart/mixed. Attachments are always base64. Boundaries are fixed by the caller.
 */
final class MimeRenderer {

    /**
     * What to render.
     *
     * @param boundarySeed the hash that boundaries derive from
     */
    record Plan(String messageId, List<MessageHeaders.Header> headers, TextBody text, TextBody html,
                List<ValidatedMessage.DecodedAttachment> attachments, byte[] boundarySeed) {
    }

    private MimeRenderer() {
    }

    /**
     * @param sevenBit write 8bit text parts as quoted-printable, for a server without
     *     8BITMIME (RFC 6152)
     */
    static byte[] render(Session session, Plan plan, boolean sevenBit) {
        try {
            MimeMessage message = new FixedIdMessage(session, plan.messageId());
            for (MessageHeaders.Header header : plan.headers()) {
                message.addHeader(header.name(), header.value());
            }
            if (plan.attachments().isEmpty()) {
                fillBody(message, plan, sevenBit);
            } else {
                message.setContent(mixed(plan, sevenBit));
            }
            message.saveChanges();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            return toCrlf(out.toByteArray());
        } catch (MessagingException | IOException e) {
            // Everything was validated and the stream is in memory: Angus failing here is a bug.
            throw new IllegalStateException("Angus Mail could not write message " + plan.messageId(), e);
        }
    }

    private static MimeMultipart mixed(Plan plan, boolean sevenBit) throws MessagingException {
        MimeMultipart mixed = new FixedBoundaryMultipart("mixed", MessageIds.boundary(plan.boundarySeed(), "m"));
        if (plan.text() != null || plan.html() != null) {
            MimeBodyPart body = new MimeBodyPart();
            fillBody(body, plan, sevenBit);
            mixed.addBodyPart(body);
        }
        for (ValidatedMessage.DecodedAttachment attachment : plan.attachments()) {
            mixed.addBodyPart(attachmentPart(attachment));
        }
        return mixed;
    }

    private static void fillBody(MimePart part, Plan plan, boolean sevenBit) throws MessagingException {
        if (plan.text() != null && plan.html() != null) {
            MimeMultipart alternative = new FixedBoundaryMultipart("alternative",
                    MessageIds.boundary(plan.boundarySeed(), "a"));
            alternative.addBodyPart(textPart(plan.text(), sevenBit));
            alternative.addBodyPart(textPart(plan.html(), sevenBit));
            part.setContent(alternative);
        } else {
            fillText(part, plan.text() != null ? plan.text() : plan.html(), sevenBit);
        }
    }

    private static MimeBodyPart textPart(TextBody body, boolean sevenBit) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        fillText(part, body, sevenBit);
        return part;
    }

    private static void fillText(MimePart part, TextBody body, boolean sevenBit) throws MessagingException {
        part.setText(body.content(), "UTF-8", body.subtype());
        // Set after setText, which clears it. Angus would pick base64 or quoted-printable for
        // any non-ASCII text; 8bit is smaller and readable where the server has 8BITMIME.
        TextBody.TransferEncoding encoding = sevenBit ? body.sevenBitEncoding() : body.encoding();
        part.setHeader("Content-Transfer-Encoding", encoding.token());
    }

    /**
     * An attachment with {@code Content-Disposition: attachment; filename=...} and the
     * older {@code name} parameter on Content-Type. Non-ASCII names are RFC 2231 encoded
     * in UTF-8: {@link ParameterList#set(String, String, String)} does so while the System
     * property {@code mail.mime.encodeparameters} keeps its default, true; the charset is
     * passed here rather than taken from {@code mail.mime.charset} or the platform.
     */
    private static MimeBodyPart attachmentPart(ValidatedMessage.DecodedAttachment attachment)
            throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        ContentType type = new ContentType(attachment.contentType());
        ParameterList typeParameters = type.getParameterList() == null ? new ParameterList() : type.getParameterList();
        typeParameters.set("name", attachment.filename(), "UTF-8");
        type.setParameterList(typeParameters);
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(attachment.content(), type.getBaseType())));
        // Set after setDataHandler, which clears Content-Type and Content-Transfer-Encoding.
        part.setHeader("Content-Type", type.toString());
        part.setHeader("Content-Transfer-Encoding", TextBody.TransferEncoding.BASE64.token());
        ParameterList dispositionParameters = new ParameterList();
        dispositionParameters.set("filename", attachment.filename(), "UTF-8");
        part.setHeader("Content-Disposition", new ContentDisposition(Part.ATTACHMENT, dispositionParameters).toString());
        return part;
    }

    /**
     * Bare LF or CR becomes CRLF. Angus already writes CRLF and the text was normalised, so
     * this only guards the invariant; it is safe because no part is sent as binary.
     */
    static byte[] toCrlf(byte[] in) {
        if (onlyCrlf(in)) {
            return in;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 64);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '\r') {
                out.write('\r');
                out.write('\n');
                if (i + 1 < in.length && in[i + 1] == '\n') {
                    i++;
                }
            } else if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static boolean onlyCrlf(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            boolean bareLf = bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r');
            boolean bareCr = bytes[i] == '\r' && (i + 1 == bytes.length || bytes[i + 1] != '\n');
            if (bareLf || bareCr) {
                return false;
            }
        }
        return true;
    }

    /** A MimeMessage whose Message-ID is ours rather than Angus's random one. */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }

    /** A multipart with a boundary we choose, so that re-rendering gives the same bytes. */
    private static final class FixedBoundaryMultipart extends MimeMultipart {
        FixedBoundaryMultipart(String subtype, String boundary) {
            super(subtype);
            ContentType type = new ContentType("multipart", subtype, new ParameterList());
            type.setParameter("boundary", boundary);
            contentType = type.toString();
        }
    }
}
