package dev.directmx.sandbox.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SmtpInputTest {

    @Test
    void linesEndAtCrLfOrAtABareLf() throws IOException {
        SmtpInput input = input("EHLO a\r\nNOOP\nQUIT\r\n");

        assertThat(text(input.readLine(1000))).isEqualTo("EHLO a");
        assertThat(text(input.readLine(1000))).isEqualTo("NOOP");
        assertThat(text(input.readLine(1000))).isEqualTo("QUIT");
        assertThat(input.readLine(1000)).isNull();
    }

    @Test
    void lineLimitCountsTheCrLfEvenWhenOnlyLfWasSent() throws IOException {
        SmtpInput input = input("x".repeat(8) + "\r\n" + "x".repeat(9) + "\n" + "x".repeat(9) + "\r\nNOOP\r\n");

        assertThat(input.readLine(10).tooLong()).isFalse();
        assertThat(input.readLine(10).tooLong()).isTrue();
        assertThat(input.readLine(10).tooLong()).isTrue();
        assertThat(text(input.readLine(10))).as("the long line was consumed whole").isEqualTo("NOOP");
    }

    @Test
    void dotStuffedDataLosesOneLeadingDotPerLineAndTheFinalDot() throws IOException {
        SmtpInput input = input("a\r\n..b\r\n...\r\n.c\n\r\n.\r\nQUIT\r\n");

        assertThat(new String(input.readDotStuffed(), StandardCharsets.US_ASCII)).isEqualTo("a\r\n.b\r\n..\r\nc\r\n\r\n");
        assertThat(text(input.readLine(1000))).isEqualTo("QUIT");
    }

    @Test
    void dataCutOffBeforeTheFinalDotIsAnError() {
        SmtpInput input = input("a\r\nb\r\n");

        assertThatThrownBy(input::readDotStuffed).isInstanceOf(EOFException.class);
    }

    @Test
    void exactReadsTakeOctetsFromTheSameBufferAsLines() throws IOException {
        SmtpInput input = new SmtpInput(trickle("BDAT 5\r\nhelloBDAT 1 LAST\r\n!"));

        assertThat(text(input.readLine(1000))).isEqualTo("BDAT 5");
        assertThat(input.readExactly(5)).isEqualTo("hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(text(input.readLine(1000))).isEqualTo("BDAT 1 LAST");
        assertThat(input.readExactly(1)).isEqualTo(new byte[] {'!'});
    }

    private static SmtpInput input(String text) {
        return new SmtpInput(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
    }

    /** A stream that hands out three octets per read, like a slow network. */
    private static InputStream trickle(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 3));
            }
        };
    }

    private static String text(SmtpInput.Line line) {
        return new String(line.bytes(), StandardCharsets.US_ASCII);
    }
}
