package dev.directmx.cli;

import dev.directmx.dkim.DkimAlgorithm;
import dev.directmx.dkim.KeyUnavailableException;
import dev.directmx.dkim.PrivateKeys;
import dev.directmx.dkim.SigningKey;
import dev.directmx.lambda.AwsKeyMaterial;
import dev.directmx.lambda.DeliveryComponents;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code directmx dkim}: make DKIM keys and the DNS records that publish them. */
@Command(name = "dkim",
        mixinStandardHelpOptions = true,
        description = "DKIM keys: generate one (keygen) or print the DNS record of an existing one (record).",
        subcommands = {DkimCommand.Keygen.class, DkimCommand.Record.class},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.SOFTWARE)
public final class DkimCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** A TXT record in zone-file form, its text split into strings of at most 255 octets (RFC 1035 §3.3). */
    static String zoneLine(String name, String record) {
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < record.length(); i += 255) {
            strings.add("\"" + record.substring(i, Math.min(record.length(), i + 255)) + "\"");
        }
        return name + ". IN TXT ( " + String.join("\n        ", strings) + " )";
    }

    @Command(name = "keygen",
            mixinStandardHelpOptions = true,
            description = {
                "Generates a DKIM key pair: writes the private key (PKCS#8 PEM, mode 600) and prints the TXT record",
                "to publish at SELECTOR._domainkey.DOMAIN. Publish the record, wait for it to resolve, then configure",
                "the key (--dkim-key or DIRECTMX_DKIM_KEYS). Keys are never printed."},
            exitCodeOnInvalidInput = ExitCodes.USAGE,
            exitCodeOnExecutionException = ExitCodes.SOFTWARE)
    static final class Keygen implements Callable<Integer> {

        @Option(names = "--domain", required = true, paramLabel = "DOMAIN", description = "The domain that signs (d=).")
        String domain;

        @Option(names = "--selector", required = true, paramLabel = "SELECTOR",
                description = "The selector (s=); a new one per key, e.g. ed2026 or rsa2026.")
        String selector;

        @Option(names = "--algorithm", paramLabel = "ed25519|rsa", defaultValue = "rsa",
                description = "ed25519 (short, modern) or rsa (2048 bits, verified everywhere) (default: ${DEFAULT-VALUE}).")
        String algorithm;

        @Option(names = "--out", paramLabel = "FILE",
                description = "Where to write the private key (default: SELECTOR.DOMAIN.pem here). Never overwritten.")
        Path out;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter stdout = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            DkimAlgorithm chosen = switch (algorithm.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "ed25519", "ed25519-sha256" -> DkimAlgorithm.ED25519_SHA256;
                case "rsa", "rsa-sha256" -> DkimAlgorithm.RSA_SHA256;
                default -> null;
            };
            if (chosen == null) {
                err.println("directmx dkim keygen: --algorithm '" + algorithm + "' is not ed25519 or rsa");
                return ExitCodes.USAGE;
            }
            KeyPair pair = PrivateKeys.generate(chosen);
            SigningKey key;
            try {
                key = new SigningKey(domain, selector, pair.getPrivate());
            } catch (IllegalArgumentException e) {
                err.println("directmx dkim keygen: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            Path file = out != null ? out : Path.of(key.selector() + "." + key.domain() + ".pem");
            try {
                write(file, PrivateKeys.toPem(pair.getPrivate()));
            } catch (FileAlreadyExistsException e) {
                err.println("directmx dkim keygen: " + file + " exists; keys are never overwritten: choose another"
                        + " --out or selector");
                return ExitCodes.USAGE;
            } catch (IOException e) {
                err.println("directmx dkim keygen: cannot write " + file + ": " + e.getMessage());
                return ExitCodes.CANT_CREATE;
            }
            stdout.println("; publish this record, then sign with --dkim-key " + key.domain() + "/" + key.selector()
                    + "=file:" + file);
            stdout.println(zoneLine(key.recordName(), PrivateKeys.dnsRecord(pair.getPublic())));
            stdout.flush();
            err.println("dkim keygen: wrote the " + chosen.keyType() + " private key to " + file + " (mode 600)");
            return ExitCodes.OK;
        }

        /** Creates the file readable by its owner only, before the key goes in. */
        private static void write(Path file, String pem) throws IOException {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
            Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        }
    }

    @Command(name = "record",
            mixinStandardHelpOptions = true,
            description = {
                "Prints the TXT record for an existing private key, to check what DNS should say before (or after)",
                "a rotation. The key is read like --dkim-key's SOURCE and never printed."},
            exitCodeOnInvalidInput = ExitCodes.USAGE,
            exitCodeOnExecutionException = ExitCodes.SOFTWARE)
    static final class Record implements Callable<Integer> {

        @Option(names = "--key", required = true, paramLabel = "DOMAIN/SELECTOR=SOURCE",
                description = "The key, as for --dkim-key: e.g. example.com/ed2026=file:ed2026.pem.")
        String key;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
                dev.directmx.dkim.KeySpec keySpec = dev.directmx.dkim.KeySpec.parse("--key", key);
                PrivateKey privateKey;
                try (AwsKeyMaterial aws = AwsKeyMaterial.fromEnvironment()) {
                    privateKey = PrivateKeys.parse("the DKIM key " + keySpec.describe(),
                            DeliveryComponents.keyMaterial(System.getenv(), aws).read(keySpec.source()));
                }
                SigningKey signing = new SigningKey(keySpec.domain(), keySpec.selector(), privateKey);
                spec.commandLine().getOut().println(zoneLine(signing.recordName(),
                        PrivateKeys.dnsRecord(PrivateKeys.publicKey(privateKey))));
                spec.commandLine().getOut().flush();
                return ExitCodes.OK;
            } catch (IllegalArgumentException e) {
                err.println("directmx dkim record: " + e.getMessage());
                return ExitCodes.USAGE;
            } catch (KeyUnavailableException e) {
                err.println("directmx dkim record: " + e.getMessage());
                return ExitCodes.NOT_FOUND;
            }
        }
    }
}
