package dev.directmx.message;

import static dev.directmx.message.Mime.compose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Base64;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** What {@link MessageComposer#compose} refuses, and that each refusal names its field. */
class MessageValidationTest {

    @Test
    void newlineInSubjectIsRejected() {
        assertRejected(() -> compose(RequestBuilder.seed().subject("Hello\r\nBcc: victim@example.org").build()),
                "subject", "header injection");
        assertRejected(() -> compose(RequestBuilder.seed().subject("Hello\nWorld").build()), "subject", "line break");
    }

    @Test
    void controlCharacterInSubjectIsRejected() {
        assertRejected(() -> compose(RequestBuilder.seed().subject("bell\u0007").build()), "subject", "U+0007");
    }

    @Test
    void tabInSubjectIsAllowed() throws Exception {
        assertThat(Mime.parse(compose(RequestBuilder.seed().subject("a\tb").build()).content().bytes()).getSubject())
                .isEqualTo("a\tb");
    }

    @Test
    void newlineInHeaderValueIsRejected() {
        assertRejected(() -> compose(RequestBuilder.seed().header("X-Note", "a\r\nBcc: victim@example.org").build()),
                "headers.X-Note", "header injection");
    }

    @Test
    void newlineInHeaderNameIsRejected() {
        assertRejected(() -> compose(RequestBuilder.seed().header("X-A\r\nBcc", "x").build()),
                "headers.X-A\r\nBcc", "line break");
    }

    @Test
    void headerNameMustBePrintableAsciiWithoutColon() {
        assertRejected(() -> compose(RequestBuilder.seed().header("X Note", "x").build()),
                "headers.X Note", "RFC 5322 §2.2");
        assertRejected(() -> compose(RequestBuilder.seed().header("X-Note:", "x").build()),
                "headers.X-Note:", "RFC 5322 §2.2");
        assertRejected(() -> compose(RequestBuilder.seed().header("X-Nöte", "x").build()),
                "headers.X-Nöte", "RFC 5322 §2.2");
        assertRejected(() -> compose(RequestBuilder.seed().header("", "x").build()), "headers.", "1 to 76");
    }

    @Test
    void structuralHeadersCannotBeReplaced() {
        for (String name : new String[] {"From", "to", "CC", "Bcc", "Reply-To", "Subject", "Date", "Message-ID",
                "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Sender", "Return-Path", "Received",
                "DKIM-Signature"}) {
            assertRejected(() -> compose(RequestBuilder.seed().header(name, "x").build()), "headers." + name,
                    "is written by directmx");
        }
        assertRejected(() -> compose(RequestBuilder.seed().header("Reply-To", "x@example.com").build()),
                "headers.Reply-To", "use the field replyTo");
    }

    @Test
    void headerCountAndValueLengthAreLimited() {
        RequestBuilder many = RequestBuilder.seed();
        for (int i = 0; i <= MessageValidator.MAX_HEADERS; i++) {
            many.header("X-H" + i, "v");
        }
        assertRejected(() -> compose(many.build()), "headers", "at most 100");
        assertRejected(() -> compose(RequestBuilder.seed().header("X-Big", "v".repeat(4001)).build()),
                "headers.X-Big", "at most 4000");
    }

    @Test
    void asciiHeaderValueThatCannotBeFoldedIsRejected() {
        assertRejected(() -> compose(RequestBuilder.seed().header("X-Url", "https://example.com/" + "a".repeat(3000))
                .build()), "headers.X-Url", "998 octets");
    }

    @Test
    void nullHeaderValueIsRejected() {
        assertRejected(() -> compose(RequestBuilder.seed().header("X-Null", null).build()), "headers.X-Null",
                "has no value");
    }

    @Test
    void invalidRecipientIsNamedByIndex() {
        assertRejected(() -> compose(RequestBuilder.seed().cc("ok@example.com", "because@i-can@example.com").build()),
                "cc[1]", "'because@i-can@example.com' is not a valid address");
        assertRejected(() -> compose(RequestBuilder.seed().replyTo("nobody").build()), "replyTo[0]", "has no domain");
        assertRejected(() -> compose(RequestBuilder.seed().envelopeFrom("bounces").build()), "envelopeFrom",
                "has no domain");
        assertRejected(() -> compose(RequestBuilder.seed().to("ok@example.com", null).build()), "to[1]", "is null");
    }

    @Test
    void onlyEmptyGroupsMeanNoRecipients() {
        assertRejected(() -> compose(RequestBuilder.seed().to("undisclosed-recipients:;").build()), "to",
                "holds no recipient");
    }

    @Test
    void tooManyRecipientsAreRejected() {
        MessageComposer composer = new MessageComposer(Clock.fixed(Mime.SEED_TIME, ZoneOffset.UTC),
                new MessageLimits(2, MessageLimits.DEFAULT_MAX_MESSAGE_BYTES));

        assertRejected(() -> composer.compose(RequestBuilder.seed().to("a@example.com", "b@example.com")
                .bcc("c@example.com").build()), "recipients", "3 distinct recipients, over the limit of 2");
    }

    @Test
    void duplicatesCountOnceAgainstTheRecipientLimit() throws Exception {
        MessageComposer composer = new MessageComposer(Clock.fixed(Mime.SEED_TIME, ZoneOffset.UTC),
                new MessageLimits(1, MessageLimits.DEFAULT_MAX_MESSAGE_BYTES));

        assertThat(composer.compose(RequestBuilder.seed().to("a@example.com").cc("A@EXAMPLE.COM").build())
                .recipients()).hasSize(1);
    }

    @Test
    void messageOverTheSizeLimitIsRejected() {
        MessageComposer composer = new MessageComposer(Clock.fixed(Mime.SEED_TIME, ZoneOffset.UTC),
                new MessageLimits(MessageLimits.DEFAULT_MAX_RECIPIENTS, 10_000));

        // 7000 octets decoded pass the early estimate but not the composed size (base64 grows by a third).
        assertRejected(() -> composer.compose(RequestBuilder.seed()
                .attachment("a.bin", null, Base64.getEncoder().encodeToString(new byte[7000])).build()),
                "message", "over the limit of 10000");
        assertRejected(() -> composer.compose(RequestBuilder.seed()
                .attachment("a.bin", null, Base64.getEncoder().encodeToString(new byte[20_000])).build()),
                "message", "is at least 200");
    }

    @Test
    void attachmentContentMustBeBase64() {
        assertRejected(() -> compose(RequestBuilder.seed().attachment("a.bin", null, "not base64!").build()),
                "attachments[0].content", "is not valid base64");
        assertRejected(() -> compose(RequestBuilder.seed().attachment("a.bin", null, "AAEC")
                .attachment("b.bin", null, "-_-_").build()), "attachments[1].content", "is not valid base64");
        assertRejected(() -> compose(RequestBuilder.seed().attachment("a.bin", null, null).build()),
                "attachments[0].content", "is missing");
    }

    @Test
    void attachmentNeedsAFilename() {
        assertRejected(() -> compose(RequestBuilder.seed().attachment(null, null, "AAEC").build()),
                "attachments[0].filename", "is missing");
        assertRejected(() -> compose(RequestBuilder.seed().attachment("a\r\nb.pdf", null, "AAEC").build()),
                "attachments[0].filename", "line break");
        assertRejected(() -> compose(RequestBuilder.seed().attachment("x".repeat(256), null, "AAEC").build()),
                "attachments[0].filename", "at most 255");
    }

    @Test
    void attachmentContentTypeMustBeAMimeType() {
        assertRejected(() -> compose(RequestBuilder.seed().attachment("a.pdf", "pdf", "AAEC").build()),
                "attachments[0].contentType", "is not a MIME type");
        assertRejected(() -> compose(RequestBuilder.seed().attachment("a.pdf", "application/pdf\r\nX: y", "AAEC")
                .build()), "attachments[0].contentType", "line break");
        assertRejected(() -> compose(RequestBuilder.seed().attachment("a.eml", "message/rfc822", "AAEC").build()),
                "attachments[0].contentType", "cannot be sent as a base64 attachment");
    }

    @Test
    void nullAttachmentIsRejected() {
        MessageRequest request = new MessageRequest(null, "a@example.com", null, java.util.List.of("b@example.com"),
                null, null, null, "s", "x", null, null, java.util.Arrays.asList((Attachment) null));

        assertRejected(() -> compose(request), "attachments[0]", "is null");
    }

    @Test
    void blankIdIsRejected() {
        assertRejected(() -> compose(RequestBuilder.seed().id(" ").build()), "id", "is blank");
    }

    @Test
    void requiredFieldsAreCheckedWhenComposingToo() {
        assertRejected(() -> compose(RequestBuilder.seed().from(null).build()), "from", "is missing");
        assertRejected(() -> compose(RequestBuilder.seed().subject(null).build()), "subject", "is missing");
        assertRejected(() -> compose(RequestBuilder.seed().text(null).build()), "text", "is missing");
        assertRejected(() -> compose(RequestBuilder.seed().to().build()), "to", "is missing");
    }

    @Test
    void limitsRejectNonsense() {
        assertThatThrownBy(() -> new MessageLimits(0, MessageLimits.DEFAULT_MAX_MESSAGE_BYTES))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRecipients");
        assertThatThrownBy(() -> new MessageLimits(1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxMessageBytes");
        assertThat(MessageLimits.defaults()).isEqualTo(new MessageLimits(1000, 25L * 1024 * 1024));
    }

    private static void assertRejected(ThrowingCallable call, String field, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidMessageException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).startsWith(field + ": ").contains(messagePart);
        });
    }
}
