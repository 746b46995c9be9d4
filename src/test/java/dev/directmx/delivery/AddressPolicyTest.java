package dev.directmx.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "::1", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "100.64.0.1", "0.0.0.0", "fe80::1", "fd00:ec2::254", "fc00::1", "224.0.0.1", "255.255.255.255",
        "64:ff9b::a9fe:a9fe", "2002:0a00:0001::1"})
    void nonPublicAddressesAreRefused(String literal) throws Exception {
        assertThat(AddressPolicy.publicOnly().refusal(InetAddress.getByName(literal))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "172.32.0.1", "192.0.2.1", "2001:db8::1", "2a00:1450:4001::1b", "64:ff9b::808:808"})
    void publicAddressesAreAllowed(String literal) throws Exception {
        assertThat(AddressPolicy.publicOnly().refusal(InetAddress.getByName(literal))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.0.1", "::1"})
    void allowPrivateAllowsEverything(String literal) throws Exception {
        assertThat(new AddressPolicy(true).refusal(InetAddress.getByName(literal))).isEmpty();
    }
}
