package dev.directmx.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {

    private static SmtpReply ehlo(String... extensions) {
        List<String> lines = new java.util.ArrayList<>();
        lines.add("mx.example.net Hello example.com");
        lines.addAll(List.of(extensions));
        return SmtpReply.fromWire("EHLO", 250, lines);
    }

    @Test
    void seedExtensionsAreAllRecognised() {
        Capabilities caps = Capabilities.fromEhlo(ehlo("PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "CHUNKING",
                "STARTTLS", "AUTH PLAIN", "SMTPUTF8", "SIZE 1073741824"));

        assertThat(caps.has(Capabilities.PIPELINING)).isTrue();
        assertThat(caps.has(Capabilities.EIGHT_BIT_MIME)).isTrue();
        assertThat(caps.has(Capabilities.ENHANCED_STATUS_CODES)).isTrue();
        assertThat(caps.has(Capabilities.CHUNKING)).isTrue();
        assertThat(caps.has(Capabilities.STARTTLS)).isTrue();
        assertThat(caps.has(Capabilities.SMTPUTF8)).isTrue();
        assertThat(caps.sizeLimit()).hasValue(1073741824L);
        assertThat(caps.extended()).isTrue();
    }

    @Test
    void keywordsAreCaseInsensitive() {
        assertThat(Capabilities.fromEhlo(ehlo("pipelining", "StartTLS")).has("PIPELINING")).isTrue();
        assertThat(Capabilities.fromEhlo(ehlo("pipelining", "StartTLS")).has("starttls")).isTrue();
    }

    @Test
    void sizeWithoutNumberOrZeroMeansNoLimit() {
        assertThat(Capabilities.fromEhlo(ehlo("SIZE")).sizeLimit()).isEmpty();
        assertThat(Capabilities.fromEhlo(ehlo("SIZE 0")).sizeLimit()).isEmpty();
        assertThat(Capabilities.fromEhlo(ehlo("SIZE")).has(Capabilities.SIZE)).isTrue();
    }

    @Test
    void theFirstLineIsTheServerNameNotAKeyword() {
        SmtpReply reply = SmtpReply.fromWire("EHLO", 250, List.of("STARTTLS"));

        assertThat(Capabilities.fromEhlo(reply).has(Capabilities.STARTTLS)).isFalse();
    }

    @Test
    void heloMeansNoExtensions() {
        assertThat(Capabilities.none().has(Capabilities.PIPELINING)).isFalse();
        assertThat(Capabilities.none().extended()).isFalse();
    }
}
