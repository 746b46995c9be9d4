package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.directmx.dkim.Canonicalization;
import dev.directmx.dkim.DkimAlgorithm;
import dev.directmx.dkim.MessageSigning;
import dev.directmx.dkim.PrivateKeys;
import dev.directmx.dkim.Signing;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The DIRECTMX_DKIM_* variables: parsed and validated at start-up, keys read once. */
class DkimConfigTest {

    private static final Map<String, String> BASE = Map.of(DirectmxConfig.TABLE, "t", DirectmxConfig.QUEUE_URL, "q",
            DirectmxConfig.DEAD_LETTER_QUEUE_URL, "d", DirectmxConfig.HELO, "mx.example.com");

    private static DirectmxConfig config(String... pairs) {
        Map<String, String> env = new HashMap<>(BASE);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return DirectmxConfig.from(env, DirectmxConfig.REQUIRED);
    }

    @Test
    void withoutVariablesNothingIsSignedAndDefaultsAreRelaxedWithoutExpiry() {
        DirectmxConfig.Dkim dkim = config().dkim();
        assertThat(dkim.keys()).isEmpty();
        assertThat(dkim.settings().headerCanonicalization()).isEqualTo(Canonicalization.RELAXED);
        assertThat(dkim.settings().bodyCanonicalization()).isEqualTo(Canonicalization.RELAXED);
        assertThat(dkim.settings().expiry()).isEmpty();
        MessageSigning signing = DeliveryComponents.signing(dkim, Map.of());
        assertThat(signing.plan("example.com").outcome())
                .isEqualTo(new Signing.Unsigned("DKIM signing is not configured (no keys)"));
    }

    @Test
    void variablesSetCanonicalizationExpiryAndKeys() {
        DirectmxConfig.Dkim dkim = config(DirectmxConfig.DKIM_KEYS, "example.com/a=env:A, example.com/b=ssm:/dkim/b",
                DirectmxConfig.DKIM_CANONICALIZATION, "simple/relaxed", DirectmxConfig.DKIM_EXPIRY, "7d").dkim();
        assertThat(dkim.keys()).hasSize(2);
        assertThat(dkim.settings().headerCanonicalization()).isEqualTo(Canonicalization.SIMPLE);
        assertThat(dkim.settings().bodyCanonicalization()).isEqualTo(Canonicalization.RELAXED);
        assertThat(dkim.settings().expiry()).isEqualTo(Optional.of(Duration.ofDays(7)));
    }

    @Test
    void everyBadDkimVariableIsReportedAtOnceByName() {
        assertThatThrownBy(() -> config(DirectmxConfig.DKIM_KEYS, "example.com",
                DirectmxConfig.DKIM_CANONICALIZATION, "relaxed/tight", DirectmxConfig.DKIM_EXPIRY, "soon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(DirectmxConfig.DKIM_KEYS + ": 'example.com' is not DOMAIN/SELECTOR=SOURCE")
                .hasMessageContaining(DirectmxConfig.DKIM_CANONICALIZATION + ": 'tight' is not simple or relaxed")
                .hasMessageContaining(DirectmxConfig.DKIM_EXPIRY);
    }

    @Test
    void keysAreReadFromTheProcessEnvironmentAtStartUp() {
        String pem = PrivateKeys.toPem(PrivateKeys.generate(DkimAlgorithm.ED25519_SHA256).getPrivate());
        DirectmxConfig.Dkim dkim = config(DirectmxConfig.DKIM_KEYS, "example.com/ed2026=env:DKIM_ED").dkim();
        MessageSigning signing = DeliveryComponents.signing(dkim, Map.of("DKIM_ED", pem));
        assertThat(signing.plan("mail.example.com").outcome().describe())
                .isEqualTo("signed d=example.com s=ed2026 a=ed25519-sha256");
    }

    @Test
    void anUnreadableKeyStopsTheStartNamingTheVariableAndTheKey() {
        DirectmxConfig.Dkim dkim = config(DirectmxConfig.DKIM_KEYS, "example.com/ed2026=env:DKIM_ED").dkim();
        assertThatThrownBy(() -> DeliveryComponents.signing(dkim, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("directmx configuration: the DKIM key example.com/ed2026: env:DKIM_ED: the environment"
                        + " variable DKIM_ED is not set; put the PEM private key in it");
    }
}
