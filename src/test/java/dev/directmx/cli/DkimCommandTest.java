package dev.directmx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.directmx.dkim.PrivateKeys;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DkimCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        return cli.execute(args);
    }

    @Test
    void keygenWritesAPrivateKeyOnlyItsOwnerCanReadAndPrintsItsRecord(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("keys/ed.pem");
        int status = run("dkim", "keygen", "--domain", "Example.com", "--selector", "ed2026", "--algorithm", "ed25519",
                "--out", key.toString());

        assertThat(status).isEqualTo(ExitCodes.OK);
        assertThat(Files.getPosixFilePermissions(key))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        String record = PrivateKeys.dnsRecord(PrivateKeys.publicKey(PrivateKeys.parse("key", Files.readString(key))));
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("ed2026._domainkey.example.com. IN TXT ( \"" + record + "\" )")
                .contains("--dkim-key example.com/ed2026=file:" + key)
                .doesNotContain("PRIVATE KEY");
    }

    @Test
    void rsaRecordIsSplitIntoStringsOf255Characters(@TempDir Path dir) {
        assertThat(run("dkim", "keygen", "--domain", "example.com", "--selector", "rsa2026", "--out",
                dir.resolve("rsa.pem").toString())).isEqualTo(ExitCodes.OK);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("IN TXT ( \"v=DKIM1; k=rsa; p=MIIBIjAN");
        for (String piece : printed.split("\"")) {
            assertThat(piece.length()).isLessThanOrEqualTo(255);
        }
    }

    @Test
    void keygenNeverOverwritesAKey(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("k.pem");
        Files.writeString(key, "precious");
        int status = run("dkim", "keygen", "--domain", "example.com", "--selector", "s1", "--out", key.toString());
        assertThat(status).isEqualTo(ExitCodes.USAGE);
        assertThat(Files.readString(key)).isEqualTo("precious");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(key + " exists; keys are never overwritten");
    }

    @Test
    void keygenRefusesAnUnknownAlgorithmAndABadSelector(@TempDir Path dir) {
        assertThat(run("dkim", "keygen", "--domain", "example.com", "--selector", "s1", "--algorithm", "dsa", "--out",
                dir.resolve("a.pem").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--algorithm 'dsa' is not ed25519 or rsa");
        assertThat(run("dkim", "keygen", "--domain", "example.com", "--selector", "no good", "--out",
                dir.resolve("b.pem").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("DKIM selector 'no good' is not valid");
        assertThat(dir.resolve("a.pem")).doesNotExist();
        assertThat(dir.resolve("b.pem")).doesNotExist();
    }

    @Test
    void recordPrintsWhatKeygenPrintedForTheSameKey(@TempDir Path dir) {
        Path key = dir.resolve("k.pem");
        run("dkim", "keygen", "--domain", "example.com", "--selector", "s1", "--algorithm", "ed25519", "--out", key.toString());
        String keygenLine = out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("IN TXT")).findFirst().orElseThrow();
        out.reset();
        assertThat(run("dkim", "record", "--key", "example.com/s1=file:" + key)).isEqualTo(ExitCodes.OK);
        assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo(keygenLine);
    }

    @Test
    void recordOfAMissingFileExitsNotFoundNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("missing.pem");
        assertThat(run("dkim", "record", "--key", "example.com/s1=file:" + missing)).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("file:" + missing + ": no such file");
    }

    @Test
    void everyDkimCommandHasHelp() {
        assertThat(run("dkim", "keygen", "--help")).isEqualTo(ExitCodes.OK);
        assertThat(run("dkim", "record", "--help")).isEqualTo(ExitCodes.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--selector").contains("--key");
    }
}
