package dev.directmx.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.directmx.smtp.SmtpReply;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictTest {

    private static SmtpReply server(String command, int code, String text) {
        return SmtpReply.fromWire(command, code, List.of(text));
    }

    @Test
    void acceptedAfterDataIsDelivered() {
        assertThat(Verdict.of(server("end of data", 250, "2.0.0 OK"))).isEqualTo(Verdict.DELIVERED);
    }

    @Test
    void hostLevelRefusalsMoveToTheNextRoute() {
        assertThat(Verdict.of(server("connect", 554, "5.7.1 go away"))).isEqualTo(Verdict.NEXT_ROUTE);
        assertThat(Verdict.of(server("connect", 421, "4.3.2 busy"))).isEqualTo(Verdict.NEXT_ROUTE);
        assertThat(Verdict.of(server("HELO", 550, "no"))).isEqualTo(Verdict.NEXT_ROUTE);
        assertThat(Verdict.of(server("MAIL", 451, "4.3.0 later"))).isEqualTo(Verdict.NEXT_ROUTE);
        assertThat(Verdict.of(server("RCPT", 421, "4.4.2 closing"))).isEqualTo(Verdict.NEXT_ROUTE);
    }

    @Test
    void greylistingAndFullMailboxesAreDeferred() {
        assertThat(Verdict.of(server("RCPT", 450, "4.2.0 greylisted"))).isEqualTo(Verdict.DEFERRED);
        assertThat(Verdict.of(server("RCPT", 452, "4.2.2 mailbox full"))).isEqualTo(Verdict.DEFERRED);
        assertThat(Verdict.of(server("end of data", 451, "4.3.0 local error"))).isEqualTo(Verdict.DEFERRED);
    }

    @Test
    void serverPermanentErrorsFailButStayRetryable() {
        assertThat(Verdict.of(server("RCPT", 550, "5.1.1 user unknown"))).isEqualTo(Verdict.FAILED_RETRYABLE);
        assertThat(Verdict.of(server("end of data", 552, "5.2.2 mailbox full"))).isEqualTo(Verdict.FAILED_RETRYABLE);
        assertThat(Verdict.of(server("MAIL", 550, "5.7.1 sender rejected"))).isEqualTo(Verdict.FAILED_RETRYABLE);
    }

    @Test
    void directmxsOwnRefusalsAreFinal() {
        assertThat(Verdict.of(SmtpReply.local(553, "5.6.7", "MAIL", "needs SMTPUTF8"))).isEqualTo(Verdict.FAILED_FINAL);
    }

    @Test
    void requiredTlsMissingTriesAnotherHost() {
        assertThat(Verdict.of(SmtpReply.local(454, "4.7.4", "STARTTLS", "TLS required"))).isEqualTo(Verdict.NEXT_ROUTE);
    }
}
