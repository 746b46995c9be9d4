package dev.directmx.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DotStuffingTest {

    private static String data(String message) {
        return new String(DotStuffing.forData(message.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void leadingDotsAreDoubled() {
        assertThat(data("Hi\r\n.\r\n..two\r\nend.\r\n")).isEqualTo("Hi\r\n..\r\n...two\r\nend.\r\n.\r\n");
    }

    @Test
    void aDotOnTheFirstLineIsStuffedToo() {
        assertThat(data(".hidden\r\n")).isEqualTo("..hidden\r\n.\r\n");
    }

    @Test
    void bareLineFeedsAndCarriageReturnsBecomeCrlf() {
        assertThat(data("a\nb\rc\r\nd")).isEqualTo("a\r\nb\r\nc\r\nd\r\n.\r\n");
    }

    @Test
    void aMissingFinalLineEndIsAddedBeforeTheTerminator() {
        assertThat(data("no newline")).isEqualTo("no newline\r\n.\r\n");
    }

    @Test
    void canonicalFormForBdatHasNoStuffingAndNoTerminator() {
        byte[] out = DotStuffing.canonical(".x\n.\n".getBytes(StandardCharsets.US_ASCII));

        assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo(".x\r\n.\r\n");
    }

    @Test
    void eightBitOctetsPassThroughUntouched() {
        assertThat(data("Grüße\n")).isEqualTo("Grüße\r\n.\r\n");
    }
}
