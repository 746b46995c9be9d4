package dev.directmx.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** RFC 6376 §3.4.5's worked example, and the body edge cases of §3.4.3 and §3.4.4. */
class CanonicalizationTest {

    private static final String EXAMPLE = "A: X\r\n"
            + "B : Y\t\r\n"
            + "\tZ  \r\n"
            + "\r\n"
            + " C \r\n"
            + "D \t E\r\n"
            + "\r\n"
            + "\r\n";

    @Test
    void relaxedMatchesRfc6376Example() {
        byte[] message = bytes(EXAMPLE);
        HeaderSection headers = HeaderSection.parse(message);
        assertThat(text(Canonicalization.RELAXED.header(headers.fields().get(0).raw(), true))).isEqualTo("a:X\r\n");
        assertThat(text(Canonicalization.RELAXED.header(headers.fields().get(1).raw(), true))).isEqualTo("b:Y Z\r\n");
        assertThat(text(Canonicalization.RELAXED.body(message, headers.bodyStart()))).isEqualTo(" C\r\nD E\r\n");
    }

    @Test
    void simpleMatchesRfc6376Example() {
        byte[] message = bytes(EXAMPLE);
        HeaderSection headers = HeaderSection.parse(message);
        assertThat(text(Canonicalization.SIMPLE.header(headers.fields().get(1).raw(), true))).isEqualTo("B : Y\t\r\n\tZ  \r\n");
        assertThat(text(Canonicalization.SIMPLE.body(message, headers.bodyStart()))).isEqualTo(" C \r\nD \t E\r\n");
    }

    @Test
    void emptyBodyIsCrlfWhenSimpleAndNothingWhenRelaxed() {
        for (String body : new String[] {"", "\r\n", "\r\n\r\n"}) {
            byte[] message = bytes("From: a@example.com\r\n\r\n" + body);
            int start = HeaderSection.parse(message).bodyStart();
            assertThat(text(Canonicalization.SIMPLE.body(message, start))).as(body).isEqualTo("\r\n");
            assertThat(text(Canonicalization.RELAXED.body(message, start))).as(body).isEmpty();
        }
    }

    @Test
    void missingFinalCrlfIsAddedByBoth() {
        byte[] message = bytes("From: a@example.com\r\n\r\nline one\r\n\r\nlast");
        int start = HeaderSection.parse(message).bodyStart();
        assertThat(text(Canonicalization.SIMPLE.body(message, start))).isEqualTo("line one\r\n\r\nlast\r\n");
        assertThat(text(Canonicalization.RELAXED.body(message, start))).isEqualTo("line one\r\n\r\nlast\r\n");
    }

    @Test
    void inBodyBlankLinesSurviveAndTrailingOnesGo() {
        byte[] message = bytes("From: a@example.com\r\n\r\na\r\n \t\r\n\r\nb\r\n\r\n \r\n");
        int start = HeaderSection.parse(message).bodyStart();
        assertThat(text(Canonicalization.RELAXED.body(message, start))).isEqualTo("a\r\n\r\n\r\nb\r\n");
        assertThat(text(Canonicalization.SIMPLE.body(message, start))).isEqualTo("a\r\n \t\r\n\r\nb\r\n\r\n \r\n");
    }

    @Test
    void headerOnlyMessageHasAnEmptyBody() {
        byte[] message = bytes("From: a@example.com\r\nSubject: no body");
        HeaderSection headers = HeaderSection.parse(message);
        assertThat(headers.fields()).hasSize(2);
        assertThat(headers.bodyStart()).isEqualTo(message.length);
        assertThat(text(Canonicalization.RELAXED.header(headers.fields().get(1).raw(), true))).isEqualTo("subject:no body\r\n");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
