package dev.directmx.dkim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Verifies DKIM signatures with two independent Debian verifiers: dkimpy's {@code dkimverify}
 * (python3-dkim 1.1.4, Ed25519 through python3-nacl) and OpenDKIM's {@code opendkim-testmsg}
 * (opendkim-tools 2.11.0~beta2, libopendkim11). Both look the public key up as a TXT record
 * through the system resolver, so they run inside the network namespace of
 * {@code scripts/peers/dkim.sh start}, whose resolv.conf points at an NSD serving the zone
 * {@code dkim.example} ({@code scripts/peers/dkim/dkim.example.zone}; keys and selectors in
 * {@code src/test/resources/dkim/README.md}). The namespace name comes from
 * {@code DIRECTMX_DKIM_NETNS} (written to {@code target/peers/dkim.env}); without it every
 * call fails, naming {@code scripts/test.sh}: these tests never skip.
 *
 * <p>What the verifiers do (checked against the installed versions):
 *
 * <ul>
 *   <li><b>Several signatures.</b> {@code dkimverify --index N} verifies only the N-th
 *       DKIM-Signature field, counted from the top of the header (0 = topmost, the default);
 *       an index past the last field is reported as a failure. {@code opendkim-testmsg} has
 *       no such option: libopendkim's {@code dkim_eom} reports success if <em>any</em>
 *       signature passes, and only when none does, the error of the first one. So
 *       {@link #opendkim} says "some signature verifies", and {@link #opendkimOnly} removes
 *       every other DKIM-Signature field (with its continuation lines) to check one alone.
 *   <li><b>Ed25519.</b> Both verify ed25519-sha256 (RFC 8463) with {@code k=ed25519} keys
 *       whose {@code p=} is the raw 32-byte public key: libopendkim11 on Debian is built
 *       with Ed25519 (OpenSSL 3), and a changed body or a wrong key fails as with RSA.
 *   <li><b>LF or CRLF.</b> Both accept either, and a mix: dkimpy splits lines on CRLF or LF
 *       and canonicalises to CRLF, {@code opendkim-testmsg} sets
 *       {@code DKIM_LIBFLAGS_FIXCRLF}, which turns bare LF into CRLF. A message signed as
 *       CRLF verifies when fed with LF ends and vice versa. So the bytes are passed through
 *       unchanged; no normalisation happens here.
 *   <li><b>Results.</b> {@code dkimverify}: exit 0 and "signature ok" on success; exit 1
 *       and "signature verification failed" when the signature does not verify (bad
 *       signature, revoked or missing key, DNS failure); exit 1 with a Python traceback for
 *       some failures, e.g. {@code dkim.ValidationError: body hash mismatch}.
 *       {@code opendkim-testmsg}: exit 0 and no output on success; exit 70 (EX_SOFTWARE)
 *       and e.g. "opendkim-testmsg: dkim_eom(): Bad signature" (changed header or body),
 *       "dkim_eom(): Revoked key", "dkim_chunk(): No signature" (no DKIM-Signature).
 * </ul>
 *
 * <p>Any other exit status (e.g. 255 from {@code ip netns exec} when the namespace is gone),
 * a missing namespace, or a timeout is a broken harness, not a verdict: those throw an
 * {@link AssertionError}, so a test expecting a failure cannot pass because of them. A DNS
 * failure inside a running harness does look like a failed verification, so negative tests
 * should also show the same message passing before it is changed.
 */
public final class ExternalVerifiers {

    /** The result of one verifier run; {@code output} is its stdout and stderr together. */
    public record Verdict(String verifier, boolean pass, String output) {
        @Override
        public String toString() {
            return verifier + (pass ? " PASS" : " FAIL") + ": " + output.strip();
        }
    }

    static final String NETNS_ENV = "DIRECTMX_DKIM_NETNS";
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String DKIMVERIFY = "/usr/bin/dkimverify";
    private static final String OPENDKIM_TESTMSG = "/usr/sbin/opendkim-testmsg";
    private static final int EX_SOFTWARE = 70;

    private ExternalVerifiers() {}

    /**
     * dkimpy's {@code dkimverify --index INDEX}: verifies the INDEX-th DKIM-Signature field
     * (0 = topmost). Passes on exit 0 with "signature ok".
     */
    public static Verdict dkimpy(byte[] message, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("index < 0: " + index);
        }
        Run run = runInNamespace(message, DKIMVERIFY, "--index", Integer.toString(index));
        String name = "dkimverify --index " + index;
        if (run.exit != 0 && run.exit != 1) {
            throw harnessBroken(name, run);
        }
        return new Verdict(name, run.exit == 0 && run.output.contains("signature ok"), run.output);
    }

    /**
     * OpenDKIM's {@code opendkim-testmsg} in verification mode: passes (exit 0) when at least
     * one DKIM-Signature verifies; see {@link #opendkimOnly} to check one signature.
     */
    public static Verdict opendkim(byte[] message) {
        return opendkim("opendkim-testmsg", message);
    }

    /**
     * {@code opendkim-testmsg} on the message with every DKIM-Signature field except the
     * INDEX-th (0 = topmost) removed, so that signature alone decides.
     */
    public static Verdict opendkimOnly(byte[] message, int index) {
        return opendkim("opendkim-testmsg (signature " + index + " alone)", keepOnlySignature(message, index));
    }

    private static Verdict opendkim(String name, byte[] message) {
        Run run = runInNamespace(message, OPENDKIM_TESTMSG);
        if (run.exit != 0 && run.exit != EX_SOFTWARE) {
            throw harnessBroken(name, run);
        }
        return new Verdict(name, run.exit == 0, run.output);
    }

    /**
     * The message with every DKIM-Signature header field except the INDEX-th (0 = topmost)
     * removed, each with its continuation lines; all other bytes, line ends included, are
     * kept as they are.
     */
    static byte[] keepOnlySignature(byte[] message, int index) {
        // ISO-8859-1 maps each byte to one char and back, so nothing is re-encoded.
        String text = new String(message, StandardCharsets.ISO_8859_1);
        List<String> lines = splitLinesKeepingEnds(text);
        StringBuilder out = new StringBuilder(text.length());
        int signatures = 0;
        boolean inHeader = true;
        boolean dropping = false;
        for (String line : lines) {
            if (inHeader) {
                String bare = line.endsWith("\r\n") ? line.substring(0, line.length() - 2)
                        : line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
                if (bare.isEmpty()) {
                    inHeader = false;        // the blank line ending the header section
                    dropping = false;
                } else if (bare.charAt(0) == ' ' || bare.charAt(0) == '\t') {
                    if (dropping) {
                        continue;            // a continuation line of a removed field
                    }
                } else {
                    int colon = bare.indexOf(':');
                    boolean signature = colon > 0
                            && bare.substring(0, colon).strip().equalsIgnoreCase("DKIM-Signature");
                    dropping = signature && signatures++ != index;
                    if (dropping) {
                        continue;
                    }
                }
            }
            out.append(line);
        }
        if (index < 0 || index >= signatures) {
            throw new IllegalArgumentException("no DKIM-Signature field with index " + index
                    + " (0 = topmost); the message has " + signatures);
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<String> splitLinesKeepingEnds(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int lf = text.indexOf('\n', start);
            int end = lf < 0 ? text.length() : lf + 1;
            lines.add(text.substring(start, end));
            start = end;
        }
        return lines;
    }

    /** The namespace from the environment, or an AssertionError saying how to get one. */
    static String namespace(Map<String, String> env) {
        String netns = env.get(NETNS_ENV);
        if (netns == null || netns.isBlank()) {
            throw new AssertionError(NETNS_ENV + " is not set: the DKIM verifiers run in the network"
                    + " namespace of the DKIM harness. Run the tests with scripts/test.sh, or run"
                    + " `scripts/peers/dkim.sh start target/peers` and"
                    + " `set -a; . target/peers/dkim.env; set +a` before mvn.");
        }
        if (!Files.exists(Path.of("/run/netns", netns))) {
            throw new AssertionError("network namespace " + netns + " (" + NETNS_ENV + ") does not exist:"
                    + " the DKIM harness is not running; start it with scripts/peers/dkim.sh start"
                    + " (scripts/test.sh does)");
        }
        return netns;
    }

    private record Run(List<String> command, int exit, String output) {}

    private static AssertionError harnessBroken(String name, Run run) {
        return new AssertionError(name + ": unexpected exit status " + run.exit + " (a broken harness,"
                + " not a verdict) from " + String.join(" ", run.command) + ":\n" + run.output);
    }

    private static Run runInNamespace(byte[] message, String... verifier) {
        List<String> command = new ArrayList<>(List.of(ip(), "netns", "exec", namespace(System.getenv())));
        command.addAll(List.of(verifier));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        }
        // Feed and drain on their own threads so neither pipe can fill up and block the other.
        CompletableFuture<Void> feed = CompletableFuture.runAsync(() -> {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(message);
            } catch (IOException e) {
                // The verifier exited without reading everything; its exit status tells why.
            }
        });
        CompletableFuture<String> drain = CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            try (InputStream stdout = process.getInputStream()) {
                stdout.transferTo(buffer);
            } catch (IOException e) {
                buffer.writeBytes(("\n[reading output failed: " + e + "]").getBytes(StandardCharsets.UTF_8));
            }
            return buffer.toString(StandardCharsets.UTF_8);
        });
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + TIMEOUT
                        + "; output so far:\n" + drain.getNow("(none)"));
            }
            feed.get(5, TimeUnit.SECONDS);
            String output = drain.get(5, TimeUnit.SECONDS);
            return new Run(command, process.exitValue(), output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("could not feed or drain " + String.join(" ", command), e);
        }
    }

    private static String ip() {
        for (String candidate : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "ip";
    }
}
