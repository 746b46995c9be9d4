package dev.directmx.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.directmx.smtp.TlsMode;
import org.junit.jupiter.api.Test;

class ServicePortTest {

    @Test
    void port465IsImplicitTlsAndOthersStartTls() {
        assertThat(ServicePort.parse("465").tlsMode()).isEqualTo(TlsMode.IMPLICIT);
        assertThat(ServicePort.parse("587").tlsMode()).isEqualTo(TlsMode.STARTTLS);
        assertThat(ServicePort.parse("25").tlsMode()).isEqualTo(TlsMode.STARTTLS);
    }

    @Test
    void explicitModesOverrideThePortNumber() {
        assertThat(ServicePort.parse("2465/tls")).isEqualTo(new ServicePort(2465, TlsMode.IMPLICIT));
        assertThat(ServicePort.parse("465/starttls")).isEqualTo(new ServicePort(465, TlsMode.STARTTLS));
    }

    @Test
    void badPortsNameTheTextAtFault() {
        assertThatThrownBy(() -> ServicePort.parse("smtp")).hasMessageContaining("'smtp'");
        assertThatThrownBy(() -> ServicePort.parse("70000")).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> ServicePort.parse("25/ssl")).hasMessageContaining("/tls or /starttls");
    }
}
