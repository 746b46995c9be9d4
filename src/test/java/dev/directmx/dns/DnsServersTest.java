package dev.directmx.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DnsServersTest {

    @Test
    void hostAndPortAreParsed() {
        assertThat(DnsServers.parse("127.0.0.1:5353").getPort()).isEqualTo(5353);
        assertThat(DnsServers.parse("127.0.0.1").getPort()).isEqualTo(53);
        assertThat(DnsServers.parse("[::1]:5300").getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void badEntriesNameTheEntryAndTheFix() {
        assertThatThrownBy(() -> DnsServers.parse("127.0.0.1:dns")).hasMessageContaining("'127.0.0.1:dns'")
                .hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> DnsServers.parse(":53")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> DnsServers.parse("[::1:53")).hasMessageContaining("']'");
    }
}
