package dev.directmx.message;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Test helpers: a fixed clock, a composer, and reading composed octets back with Angus. */
final class Mime {

    static final Instant SEED_TIME = Instant.parse("2023-02-15T19:13:27Z");

    private Mime() {
    }

    static MessageComposer composer() {
        return new MessageComposer(Clock.fixed(SEED_TIME, ZoneOffset.UTC), MessageLimits.defaults());
    }

    static OutboundMessage compose(MessageRequest request) throws InvalidMessageException {
        return composer().compose(request);
    }

    static MimeMessage parse(byte[] bytes) throws MessagingException {
        Properties properties = new Properties();
        properties.setProperty("mail.mime.allowutf8", "true");
        return new MimeMessage(Session.getInstance(properties), new ByteArrayInputStream(bytes));
    }

    static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The header block: everything before the first empty line. */
    static String headerBlock(byte[] bytes) {
        String text = string(bytes);
        return text.substring(0, text.indexOf("\r\n\r\n") + 2);
    }

    /** The lines of the message split on CRLF, with their lengths in octets. */
    static List<byte[]> lines(byte[] bytes) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                lines.add(java.util.Arrays.copyOfRange(bytes, start, i));
                start = i + 2;
                i++;
            }
        }
        if (start < bytes.length) {
            lines.add(java.util.Arrays.copyOfRange(bytes, start, bytes.length));
        }
        return lines;
    }

    /** True when every LF is preceded by CR and every CR followed by LF. */
    static boolean onlyCrlf(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) {
                return false;
            }
            if (bytes[i] == '\r' && (i + 1 == bytes.length || bytes[i + 1] != '\n')) {
                return false;
            }
        }
        return true;
    }
}
