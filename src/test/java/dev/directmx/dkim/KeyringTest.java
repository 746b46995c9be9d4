package dev.directmx.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringTest {

    private static final String WHERE = "DIRECTMX_DKIM_KEYS";

    @Test
    void specListParsesEverySourceKind() {
        List<KeySpec> specs = KeySpec.parseList(WHERE, " example.com/rsa2026=file:/etc/dkim/rsa.pem,\n"
                + "example.com/ed2026=env:DKIM_ED example.org/s1=secretsmanager:arn:aws:secretsmanager:eu-west-1:1:secret:k=v"
                + ",Example.NET/S2=ssm:/directmx/dkim/s2");
        assertThat(specs).extracting(KeySpec::describe).containsExactly(
                "example.com/rsa2026=file:/etc/dkim/rsa.pem",
                "example.com/ed2026=env:DKIM_ED",
                "example.org/s1=secretsmanager:arn:aws:secretsmanager:eu-west-1:1:secret:k=v",
                "example.net/s2=ssm:/directmx/dkim/s2");
        assertThat(specs.get(2).source()).isEqualTo(
                new KeySource.SecretsManager("arn:aws:secretsmanager:eu-west-1:1:secret:k=v"));
        assertThat(KeySpec.parseList(WHERE, "  ")).isEmpty();
    }

    @Test
    void badEntriesNameTheSettingTheEntryAndTheForm() {
        assertThatThrownBy(() -> KeySpec.parseList(WHERE, "example.com=file:/k.pem"))
                .hasMessage(WHERE + ": 'example.com=file:/k.pem' is not DOMAIN/SELECTOR=SOURCE, e.g."
                        + " example.com/rsa2026=file:/etc/directmx/rsa2026.pem");
        assertThatThrownBy(() -> KeySpec.parseList(WHERE, "example.com/s1=vault:k"))
                .hasMessageStartingWith(WHERE + " (example.com/s1): 'vault:k' is not a key source");
        assertThatThrownBy(() -> KeySpec.parseList(WHERE, "example.com/s1=file:"))
                .hasMessageContaining("names no file source");
        assertThatThrownBy(() -> KeySpec.parseList(WHERE, "example.com/s1=env:A,example.com/s1=env:B"))
                .hasMessageContaining("example.com/s1 is configured twice");
    }

    @Test
    void keysForASubdomainComeFromTheNearestParentButNeverFromTheTld() {
        SigningKey parent = new SigningKey("example.com", "s1", TestKeys.RSA.getPrivate());
        SigningKey child = new SigningKey("eu.mail.example.com", "s1", TestKeys.ED25519.getPrivate());
        Keyring keyring = Keyring.of(List.of(parent, child));
        assertThat(keyring.keysFor("example.com")).containsExactly(parent);
        assertThat(keyring.keysFor("news.example.com")).containsExactly(parent);
        assertThat(keyring.keysFor("x.eu.mail.example.com")).containsExactly(child);
        assertThat(keyring.keysFor("example.org")).isEmpty();
        assertThat(Keyring.of(List.of(new SigningKey("co.uk", "s", TestKeys.RSA.getPrivate()))).keysFor("uk")).isEmpty();
    }

    @Test
    void loadReadsEnvironmentAndFileKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rsa.pem");
        Files.writeString(file, PrivateKeys.toPem(TestKeys.RSA.getPrivate()));
        Keyring keyring = Keyring.load(KeySpec.parseList(WHERE, "example.com/rsa=file:" + file + ",example.com/ed=env:ED"),
                new LocalKeyMaterial(Map.of("ED", PrivateKeys.toPem(TestKeys.ED25519.getPrivate()))));
        assertThat(keyring.keysFor("example.com")).extracting(SigningKey::algorithm)
                .containsExactly(DkimAlgorithm.RSA_SHA256, DkimAlgorithm.ED25519_SHA256);
        assertThat(keyring.toString()).doesNotContain("BEGIN").contains("rsa._domainkey.example.com");
    }

    @Test
    void missingKeysAreNamedWithTheFix(@TempDir Path dir) {
        LocalKeyMaterial local = new LocalKeyMaterial(Map.of());
        assertThatThrownBy(() -> Keyring.load(KeySpec.parseList(WHERE, "example.com/s=env:NOPE"), local))
                .isInstanceOf(KeyUnavailableException.class)
                .hasMessage("the DKIM key example.com/s: env:NOPE: the environment variable NOPE is not set; put the PEM"
                        + " private key in it");
        Path missing = dir.resolve("none.pem");
        assertThatThrownBy(() -> Keyring.load(KeySpec.parseList(WHERE, "example.com/s=file:" + missing), local))
                .hasMessageStartingWith("the DKIM key example.com/s: file:" + missing + ": no such file");
    }

    @Test
    void aKeyThatIsNotAKeyIsNamedWithoutEchoingIt() {
        LocalKeyMaterial local = new LocalKeyMaterial(Map.of("K", "not-a-key-SECRETISH"));
        assertThatThrownBy(() -> Keyring.load(KeySpec.parseList(WHERE, "example.com/s=env:K"), local))
                .isInstanceOf(KeyUnavailableException.class)
                .hasMessageStartingWith("the DKIM key example.com/s=env:K does not hold a private key")
                .message().doesNotContain("SECRETISH");
    }
}
