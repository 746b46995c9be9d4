package dev.directmx.message;

import static dev.directmx.message.Mime.compose;
import static dev.directmx.message.Mime.headerBlock;
import static dev.directmx.message.Mime.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.Message;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class MessageComposerTest {

    @Test
    void asciiTextIsSevenBitTextPlain() throws Exception {
        ComposedMessage content = compose(RequestBuilder.seed().build()).content();
        MimeMessage parsed = parse(content.bytes());

        assertThat(parsed.getContentType()).isEqualTo("text/plain; charset=UTF-8");
        assertThat(parsed.getEncoding()).isEqualTo("7bit");
        assertThat(parsed.getContent()).isEqualTo("Hi there,\r\nDid it hit the Spam folder?\r\n");
        assertThat(content.eightBit()).isFalse();
        assertThat(content.needsSmtpUtf8()).isFalse();
    }

    @Test
    void htmlOnlyIsTextHtml() throws Exception {
        MimeMessage parsed = parse(compose(RequestBuilder.seed().text(null).html("<p>Hi</p>").build())
                .content().bytes());

        assertThat(parsed.getContentType()).isEqualTo("text/html; charset=UTF-8");
        assertThat(parsed.getContent()).isEqualTo("<p>Hi</p>\r\n");
    }

    @Test
    void bothTextAndHtmlMakeMultipartAlternative() throws Exception {
        MimeMessage parsed = parse(compose(RequestBuilder.seed().html("<p>Hi there</p>").build()).content().bytes());

        assertThat(parsed.getContentType()).startsWith("multipart/alternative;");
        MimeMultipart alternative = (MimeMultipart) parsed.getContent();
        assertThat(alternative.getCount()).isEqualTo(2);
        assertThat(alternative.getBodyPart(0).getContentType()).isEqualTo("text/plain; charset=UTF-8");
        assertThat(alternative.getBodyPart(1).getContentType()).isEqualTo("text/html; charset=UTF-8");
        assertThat(alternative.getBodyPart(1).getContent()).isEqualTo("<p>Hi there</p>\r\n");
        assertThat(((MimeBodyPart) alternative.getBodyPart(0)).getEncoding()).isEqualTo("7bit");
        assertThat(parsed.getHeader("Content-Transfer-Encoding")).isNull();
    }

    @Test
    void attachmentsMakeMultipartMixed() throws Exception {
        byte[] pdf = "%PDF-1.4 \u0000\u00ff binary".getBytes(StandardCharsets.ISO_8859_1);
        MimeMessage parsed = parse(compose(RequestBuilder.seed().html("<p>Hi</p>")
                .attachment("a.pdf", "application/pdf", Base64.getEncoder().encodeToString(pdf)).build())
                .content().bytes());

        assertThat(parsed.getContentType()).startsWith("multipart/mixed;");
        MimeMultipart mixed = (MimeMultipart) parsed.getContent();
        assertThat(mixed.getCount()).isEqualTo(2);
        assertThat(mixed.getBodyPart(0).getContentType()).startsWith("multipart/alternative;");
        MimeBodyPart attachment = (MimeBodyPart) mixed.getBodyPart(1);
        assertThat(attachment.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(attachment.getFileName()).isEqualTo("a.pdf");
        assertThat(attachment.getContentType()).isEqualTo("application/pdf; name=a.pdf");
        assertThat(attachment.getEncoding()).isEqualTo("base64");
        assertThat(readAll(attachment.getInputStream())).isEqualTo(pdf);
    }

    @Test
    void attachmentAloneMakesMultipartMixedWithoutBody() throws Exception {
        MimeMessage parsed = parse(compose(RequestBuilder.seed().text(null)
                .attachment("notes.txt", null, Base64.getEncoder().encodeToString("hello".getBytes())).build())
                .content().bytes());

        MimeMultipart mixed = (MimeMultipart) parsed.getContent();
        assertThat(mixed.getCount()).isEqualTo(1);
        assertThat(mixed.getBodyPart(0).getContentType()).isEqualTo("application/octet-stream; name=notes.txt");
    }

    @Test
    void nonAsciiFilenameIsRfc2231Encoded() throws Exception {
        byte[] bytes = compose(RequestBuilder.seed()
                .attachment("Résumé 2024.pdf", "application/pdf", "JVBERi0=").build()).content().bytes();

        assertThat(Mime.string(bytes)).contains("filename*=UTF-8''R%C3%A9sum%C3%A9%202024.pdf")
                .contains("name*=UTF-8''R%C3%A9sum%C3%A9%202024.pdf");
        MimeMultipart mixed = (MimeMultipart) parse(bytes).getContent();
        assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo("Résumé 2024.pdf");
    }

    @Test
    void attachmentContentTypeKeepsItsParameters() throws Exception {
        MimeMultipart mixed = (MimeMultipart) parse(compose(RequestBuilder.seed()
                .attachment("data.csv", "text/csv; charset=utf-8", "YSxiCg==").build()).content().bytes()).getContent();

        assertThat(mixed.getBodyPart(1).getContentType()).isEqualTo("text/csv; charset=utf-8; name=data.csv");
    }

    @Test
    void wrappedBase64IsAccepted() throws Exception {
        String wrapped = Base64.getMimeEncoder().encodeToString(new byte[200]);
        assertThat(wrapped).contains("\r\n");

        MimeMultipart mixed = (MimeMultipart) parse(compose(RequestBuilder.seed()
                .attachment("zeros.bin", null, wrapped).build()).content().bytes()).getContent();

        assertThat(readAll(mixed.getBodyPart(1).getInputStream())).isEqualTo(new byte[200]);
    }

    @Test
    void utf8TextIsEightBit() throws Exception {
        ComposedMessage content = compose(RequestBuilder.seed().text("Grüße aus Köln\n").build()).content();

        assertThat(parse(content.bytes()).getEncoding()).isEqualTo("8bit");
        assertThat(Mime.string(content.bytes())).contains("\r\n\r\nGrüße aus Köln\r\n");
        assertThat(content.eightBit()).isTrue();
        assertThat(content.needsSmtpUtf8()).isFalse();
    }

    @Test
    void eightBitBodyDowngradesToQuotedPrintable() throws Exception {
        String text = "Grüße aus Köln,\nça va? 日本語\n";
        ComposedMessage content = compose(RequestBuilder.seed().text(text).html("<p>Grüße</p>").build()).content();

        byte[] sevenBit = content.sevenBit();

        for (byte b : sevenBit) {
            assertThat(b).isNotNegative();
        }
        MimeMessage parsed = parse(sevenBit);
        MimeMultipart alternative = (MimeMultipart) parsed.getContent();
        assertThat(((MimeBodyPart) alternative.getBodyPart(0)).getEncoding()).isEqualTo("quoted-printable");
        assertThat(alternative.getBodyPart(0).getContent()).isEqualTo(text.replace("\n", "\r\n"));
        assertThat(alternative.getBodyPart(1).getContent()).isEqualTo("<p>Grüße</p>\r\n");
        MimeMessage original = parse(content.bytes());
        assertThat(parsed.getMessageID()).isEqualTo(original.getMessageID()).isEqualTo(content.messageId());
        assertThat(parsed.getHeader("Date")).isEqualTo(original.getHeader("Date"));
        assertThat(parsed.getSubject()).isEqualTo(original.getSubject());
        assertThat(Mime.onlyCrlf(sevenBit)).isTrue();
    }

    @Test
    void sevenBitOfAsciiMessageIsTheSameMessage() throws Exception {
        ComposedMessage content = compose(RequestBuilder.seed().build()).content();

        assertThat(content.sevenBit()).isEqualTo(content.bytes());
    }

    @Test
    void longLinesAreQuotedPrintable() throws Exception {
        String line = "x".repeat(5000);
        ComposedMessage content = compose(RequestBuilder.seed().text(line).build()).content();
        MimeMessage parsed = parse(content.bytes());

        assertThat(parsed.getEncoding()).isEqualTo("quoted-printable");
        assertThat(parsed.getContent()).isEqualTo(line + "\r\n");
    }

    @Test
    void nulInTextIsQuotedPrintable() throws Exception {
        MimeMessage parsed = parse(compose(RequestBuilder.seed().text("a\u0000b").build()).content().bytes());

        assertThat(parsed.getEncoding()).isEqualTo("quoted-printable");
        assertThat(parsed.getContent()).isEqualTo("a\u0000b\r\n");
    }

    @Test
    void noLineExceeds998Octets() throws Exception {
        String words = "Grüße ".repeat(400);
        MessageRequest request = RequestBuilder.seed()
                .from("\"" + "Very Long Sender Name ".repeat(20) + "\" <sender@example.com>")
                .to(manyAddresses(60))
                .subject("A very long subject " + "that goes on and on ".repeat(100))
                .text("ü".repeat(5000))
                .html("<p>" + "y".repeat(5000) + "</p>")
                .header("X-Long", words)
                .header("X-Long-Ascii", "word ".repeat(790))
                .attachment("日".repeat(83) + ".bin", null, Base64.getEncoder().encodeToString(new byte[10_000]))
                .attachment("a".repeat(200) + ".txt", null, "")
                .build();
        ComposedMessage content = compose(request).content();

        assertThat(Mime.lines(content.bytes())).allSatisfy(line -> assertThat(line.length).isLessThanOrEqualTo(998));
        assertThat(Mime.lines(content.sevenBit())).allSatisfy(line -> assertThat(line.length).isLessThanOrEqualTo(998));
        MimeMessage parsed = parse(content.bytes());
        assertThat(parsed.getSubject()).isEqualTo(request.subject().strip());
        assertThat(parsed.getHeader("X-Long", null)).isNotNull();
    }

    @Test
    void subjectWithoutSpacesIsEncodedToFitTheLineLimit() throws Exception {
        String subject = "s".repeat(3000);
        ComposedMessage content = compose(RequestBuilder.seed().subject(subject).build()).content();

        assertThat(Mime.lines(content.bytes())).allSatisfy(line -> assertThat(line.length).isLessThanOrEqualTo(998));
        assertThat(parse(content.bytes()).getSubject()).isEqualTo(subject);
    }

    @Test
    void lineEndsAreNormalisedToCrlf() throws Exception {
        ComposedMessage content = compose(RequestBuilder.seed().text("one\ntwo\rthree\r\nfour").build()).content();

        assertThat(Mime.onlyCrlf(content.bytes())).isTrue();
        assertThat(parse(content.bytes()).getContent()).isEqualTo("one\r\ntwo\r\nthree\r\nfour\r\n");
    }

    @Test
    void everyFormEndsWithCrlf() throws Exception {
        MessageRequest[] requests = {
            RequestBuilder.seed().text("no final line break").build(),
            RequestBuilder.seed().text("").build(),
            RequestBuilder.seed().text("Grüße").html("<p>x</p>").attachment("a.bin", null, "AAEC").build(),
        };
        for (MessageRequest request : requests) {
            ComposedMessage content = compose(request).content();
            assertThat(Mime.string(content.bytes())).endsWith("\r\n");
            assertThat(Mime.string(content.sevenBit())).endsWith("\r\n");
        }
    }

    @Test
    void writesTheHeadersTheSeedLists() throws Exception {
        MimeMessage parsed = parse(compose(RequestBuilder.seed().build()).content().bytes());

        for (String name : new String[] {"MIME-Version", "Content-Type", "Content-Transfer-Encoding", "From", "To",
                "Message-ID", "Date", "Subject"}) {
            assertThat(parsed.getHeader(name)).as(name).hasSize(1);
        }
        assertThat(parsed.getHeader("From", null)).isEqualTo("sender@example.com");
        assertThat(parsed.getHeader("Date", null)).isEqualTo("Wed, 15 Feb 2023 19:13:27 +0000");
    }

    @Test
    void dateUsesTheClocksZone() throws Exception {
        MessageComposer composer = new MessageComposer(
                Clock.fixed(Mime.SEED_TIME, ZoneId.of("Europe/Berlin")), MessageLimits.defaults());

        MimeMessage parsed = parse(composer.compose(RequestBuilder.seed().build()).content().bytes());

        assertThat(parsed.getHeader("Date", null)).isEqualTo("Wed, 15 Feb 2023 20:13:27 +0100");
    }

    @Test
    void bccNeverAppears() throws Exception {
        OutboundMessage message = compose(RequestBuilder.seed().bcc("hidden@example.org").build());

        assertThat(Mime.string(message.content().bytes())).doesNotContainIgnoringCase("bcc")
                .doesNotContain("hidden@example.org");
        assertThat(message.recipients()).extracting(Mailbox::address)
                .containsExactly("recipient@example.net", "hidden@example.org");
    }

    @Test
    void emptyToWithBccWritesUndisclosedRecipients() throws Exception {
        MimeMessage parsed = parse(compose(RequestBuilder.seed().to().bcc("hidden@example.org").build())
                .content().bytes());

        assertThat(parsed.getHeader("To", null)).isEqualTo("undisclosed-recipients:;");
    }

    @Test
    void ccAndReplyToAreWritten() throws Exception {
        MimeMessage parsed = parse(compose(RequestBuilder.seed().cc("Carol <carol@example.org>")
                .replyTo("help@example.com").build()).content().bytes());

        assertThat(parsed.getRecipients(Message.RecipientType.CC)).extracting(Object::toString)
                .containsExactly("Carol <carol@example.org>");
        assertThat(parsed.getReplyTo()).extracting(Object::toString).containsExactly("help@example.com");
    }

    @Test
    void groupIsKeptInTheHeaderAndItsMembersAreRecipients() throws Exception {
        OutboundMessage message = compose(RequestBuilder.seed()
                .to("Team: a@example.com, b@example.org;", "undisclosed-recipients:;").build());

        assertThat(parse(message.content().bytes()).getHeader("To", null))
                .isEqualTo("Team: a@example.com, b@example.org;, undisclosed-recipients:;");
        assertThat(message.recipients()).extracting(Mailbox::address).containsExactly("a@example.com", "b@example.org");
    }

    @Test
    void nonAsciiSubjectIsAnEncodedWord() throws Exception {
        byte[] bytes = compose(RequestBuilder.seed().subject("Grüße").build()).content().bytes();

        assertThat(headerBlock(bytes)).contains("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=");
        assertThat(parse(bytes).getSubject()).isEqualTo("Grüße");
    }

    @Test
    void nonAsciiDisplayNameIsEncodedAndIdnDomainIsALabel() throws Exception {
        byte[] bytes = compose(RequestBuilder.seed().from("Jörg Müller <joerg@bücher.example>").build())
                .content().bytes();

        assertThat(headerBlock(bytes))
                .contains("From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@xn--bcher-kva.example>");
        for (byte b : headerBlock(bytes).getBytes(StandardCharsets.UTF_8)) {
            assertThat(b).isNotNegative();
        }
    }

    @Test
    void nonAsciiLocalPartMakesUtf8HeadersThatCannotBeDowngraded() throws Exception {
        ComposedMessage content = compose(RequestBuilder.seed().from("Jörg <jörg@bücher.example>")
                .subject("Grüße").text("Hallo").build()).content();

        String headers = headerBlock(content.bytes());
        assertThat(headers).contains("From: \"Jörg\" <jörg@bücher.example>").contains("Subject: Grüße");
        assertThat(content.needsSmtpUtf8()).isTrue();
        assertThat(content.utf8Headers()).isTrue();
        assertThat(content.eightBit()).isTrue();
        assertThat(parse(content.bytes()).getSubject()).isEqualTo("Grüße");
        assertThatThrownBy(content::sevenBit).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SMTPUTF8");
    }

    @Test
    void nonAsciiBccNeedsSmtpUtf8ButKeepsHeadersAscii() throws Exception {
        ComposedMessage content = compose(RequestBuilder.seed().bcc("jörg@example.de").build()).content();

        assertThat(content.needsSmtpUtf8()).isTrue();
        assertThat(content.utf8Headers()).isFalse();
        assertThat(content.eightBit()).isFalse();
        assertThat(content.sevenBit()).isEqualTo(content.bytes());
    }

    @Test
    void extraHeadersAreWrittenInOrder() throws Exception {
        byte[] bytes = compose(RequestBuilder.seed()
                .header("List-Unsubscribe", "<mailto:unsub@example.com>")
                .header("X-Campaign", "Frühling")
                .header("X-Empty", "")
                .build()).content().bytes();

        String headers = headerBlock(bytes);
        assertThat(headers).contains("List-Unsubscribe: <mailto:unsub@example.com>\r\n")
                .contains("X-Campaign: =?UTF-8?Q?Fr=C3=BChling?=\r\n");
        assertThat(headers.indexOf("List-Unsubscribe")).isLessThan(headers.indexOf("X-Campaign"));
        assertThat(parse(bytes).getHeader("X-Empty", null)).isEmpty();
    }

    @Test
    void recipientsAreDeduplicatedCaseInsensitively() throws Exception {
        OutboundMessage message = compose(RequestBuilder.seed()
                .to("Recipient@Example.NET", "user@bücher.example")
                .cc("recipient@example.net", "USER@xn--bcher-kva.example")
                .bcc("other@example.org").build());

        assertThat(message.recipients()).extracting(Mailbox::address)
                .containsExactly("Recipient@example.net", "user@bücher.example", "other@example.org");
    }

    @Test
    void recipientsByDomainGroupsByALabelInFirstSeenOrder() throws Exception {
        OutboundMessage message = compose(RequestBuilder.seed()
                .to("a@bücher.example", "b@example.net").cc("c@BÜCHER.example").bcc("d@example.net").build());

        assertThat(message.recipientsByDomain()).containsOnlyKeys("xn--bcher-kva.example", "example.net");
        assertThat(message.recipientsByDomain().keySet()).containsExactly("xn--bcher-kva.example", "example.net");
        assertThat(message.recipientsByDomain().get("xn--bcher-kva.example")).extracting(Mailbox::localPart)
                .containsExactly("a", "c");
        assertThat(message.recipientsByDomain().get("example.net")).extracting(Mailbox::localPart)
                .containsExactly("b", "d");
    }

    @Test
    void envelopeFromDefaultsToFrom() throws Exception {
        OutboundMessage plain = compose(RequestBuilder.seed().from("Sender <sender@example.com>").build());
        OutboundMessage bounces = compose(RequestBuilder.seed().envelopeFrom("bounces@example.com").build());

        assertThat(plain.envelopeFrom().address()).isEqualTo("sender@example.com");
        assertThat(plain.sender().displayName()).isEqualTo("Sender");
        assertThat(bounces.envelopeFrom().address()).isEqualTo("bounces@example.com");
        assertThat(Mime.string(bounces.content().bytes())).doesNotContain("bounces@example.com");
    }

    @Test
    void sameRequestKeepsMessageIdAcrossRetries() throws Exception {
        MessageRequest request = RequestBuilder.seed().build();
        MessageComposer first = new MessageComposer(Clock.fixed(Mime.SEED_TIME, ZoneOffset.UTC),
                MessageLimits.defaults());
        MessageComposer later = new MessageComposer(Clock.fixed(Instant.parse("2023-02-16T08:00:00Z"), ZoneOffset.UTC),
                MessageLimits.defaults());

        ComposedMessage a = first.compose(request).content();
        ComposedMessage b = later.compose(MessageRequest.fromJson(request.toJson())).content();

        assertThat(a.messageId()).isEqualTo(b.messageId()).matches("<[a-z2-7]{26}@example\\.com>");
        assertThat(parse(a.bytes()).getHeader("Date", null)).isNotEqualTo(parse(b.bytes()).getHeader("Date", null));
    }

    @Test
    void idControlsTheMessageId() throws Exception {
        String first = compose(RequestBuilder.seed().id("key-1").build()).content().messageId();
        String edited = compose(RequestBuilder.seed().id("key-1").subject("Edited").build()).content().messageId();
        String other = compose(RequestBuilder.seed().id("key-2").build()).content().messageId();
        String noId = compose(RequestBuilder.seed().build()).content().messageId();
        String noIdEdited = compose(RequestBuilder.seed().subject("Edited").build()).content().messageId();

        assertThat(first).isEqualTo(edited).isNotEqualTo(other).isNotEqualTo(noId);
        assertThat(noId).isNotEqualTo(noIdEdited);
    }

    @Test
    void messageIdUsesTheSendersALabel() throws Exception {
        assertThat(compose(RequestBuilder.seed().from("a@bücher.example").build()).content().messageId())
                .endsWith("@xn--bcher-kva.example>");
    }

    @Test
    void composingIsDeterministic() throws Exception {
        MessageRequest request = RequestBuilder.seed().html("<p>x</p>").attachment("a.bin", null, "AAEC").build();

        assertThat(compose(request).content().bytes()).isEqualTo(compose(request).content().bytes());
    }

    @Test
    void emptySubjectIsWritten() throws Exception {
        MimeMessage parsed = parse(compose(RequestBuilder.seed().subject("").build()).content().bytes());

        assertThat(parsed.getHeader("Subject")).hasSize(1);
        assertThat(parsed.getSubject()).isEmpty();
    }

    @Test
    void composerIsSafeToShareBetweenThreads() throws Exception {
        MessageComposer composer = Mime.composer();
        MessageRequest request = RequestBuilder.seed().text("Grüße").html("<p>Grüße</p>")
                .attachment("a.bin", null, "AAEC").build();
        ComposedMessage reference = composer.compose(request).content();

        List<Future<ComposedMessage>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 64; i++) {
                results.add(threads.submit(() -> composer.compose(request).content()));
            }
        }
        for (Future<ComposedMessage> result : results) {
            assertThat(result.get().bytes()).isEqualTo(reference.bytes());
            assertThat(result.get().sevenBit()).isEqualTo(reference.sevenBit());
        }
    }

    @Test
    void sizeIsTheNumberOfOctets() throws Exception {
        ComposedMessage content = compose(RequestBuilder.seed().build()).content();

        assertThat(content.size()).isEqualTo(content.bytes().length);
    }

    private static String[] manyAddresses(int count) {
        String[] addresses = new String[count];
        for (int i = 0; i < count; i++) {
            addresses[i] = "Person Number " + i + " <person" + i + "@example.net>";
        }
        return addresses;
    }

    private static byte[] readAll(InputStream in) throws Exception {
        try (in; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            in.transferTo(out);
            return out.toByteArray();
        }
    }

}
