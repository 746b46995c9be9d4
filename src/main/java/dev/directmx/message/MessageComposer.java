package dev.directmx.message;

import jakarta.mail.Session;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;

/**
 * Validates a {@link MessageRequest} and composes it into MIME with Angus Mail.
 *
 * <p>One instance per process is enough: it is immutable and thread-safe. It never sends;
 * its Angus sessions only carry MIME settings.
 */
public final class MessageComposer {

    /** RFC 5322 §3.3 date-time, with a numeric zone: {@code Wed, 15 Feb 2023 19:13:27 +0000}. */
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx",
            Locale.ENGLISH);

    private final Clock clock;
    private final MessageLimits limits;
    private final Session asciiSession;
    private final Session utf8Session;

    /**
     * @param clock the time written in the Date header, in the clock's zone
     * @param limits the largest message and the most recipients accepted
     */
    public MessageComposer(Clock clock, MessageLimits limits) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.asciiSession = session(false);
        this.utf8Session = session(true);
    }

    /**
     * Checks every field and composes the message.
     *
     * @throws InvalidMessageException naming the field at fault; the message will never be
     *     sendable as it is
     */
    public OutboundMessage compose(MessageRequest request) throws InvalidMessageException {
        Objects.requireNonNull(request, "request");
        ValidatedMessage message = MessageValidator.validate(request, limits);
        byte[] contentHash = MessageIds.sha256(request.toJson());
        String messageId = MessageIds.messageId(request, message.sender(), contentHash);
        String date = DATE.format(ZonedDateTime.ofInstant(clock.instant(), clock.getZone()));
        Session session = message.utf8Headers() ? utf8Session : asciiSession;

        byte[] bytes = MimeRenderer.render(session, plan(message, messageId, date, contentHash), false);
        if (bytes.length > limits.maxMessageBytes()) {
            throw MessageValidator.tooLarge(String.valueOf(bytes.length), limits);
        }
        ComposedMessage content = new ComposedMessage(messageId, bytes, message.needsSmtpUtf8(),
                message.utf8Headers(), () -> sevenBit(request, session, messageId, date, contentHash));
        return new OutboundMessage(request, message.sender(), message.envelopeFrom(), message.recipients(), content);
    }

    private static MimeRenderer.Plan plan(ValidatedMessage message, String messageId, String date,
                                          byte[] contentHash) throws InvalidMessageException {
        return new MimeRenderer.Plan(messageId, MessageHeaders.build(message, messageId, date), message.text(),
                message.html(), message.attachments(), contentHash);
    }

    /**
     * Renders the 7-bit form from the request again rather than keeping the decoded
     * attachments alive beside the composed bytes until someone needs it. Validation and
     * rendering are pure functions of their inputs, so the result matches the 8-bit form.
     */
    private byte[] sevenBit(MessageRequest request, Session session, String messageId, String date,
                            byte[] contentHash) {
        try {
            ValidatedMessage message = MessageValidator.validate(request, limits);
            return MimeRenderer.render(session, plan(message, messageId, date, contentHash), true);
        } catch (InvalidMessageException e) {
            throw new IllegalStateException("message " + messageId + " was valid when composed", e);
        }
    }

    /**
     * An Angus session that never connects. {@code mail.mime.allowutf8} is true only for
     * messages with UTF-8 headers (RFC 6532): it tells Angus those headers are meant to be
     * raw UTF-8, and a reader needs it to read them back. Every other MIME setting directmx
     * relies on is an Angus default read from System properties (see the package docs).
     */
    private static Session session(boolean allowUtf8) {
        Properties properties = new Properties();
        properties.setProperty("mail.mime.allowutf8", Boolean.toString(allowUtf8));
        return Session.getInstance(properties);
    }
}
