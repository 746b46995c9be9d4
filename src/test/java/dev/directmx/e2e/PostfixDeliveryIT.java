package dev.directmx.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end against real peers: the shaded jar, run as a user would, resolves
 * through NSD and delivers to Postfix over STARTTLS, and the message lands in
 * Postfix's Maildir intact.
 *
 * <p>The peers come from {@code scripts/peers/start.sh}, which writes
 * {@code target/peers/peers.env}; the variables in it must be in this JVM's
 * environment ({@code set -a; . target/peers/peers.env; set +a}). Without them
 * the tests fail rather than skip: CI always starts the peers, so missing
 * variables mean a broken setup, not an optional test.
 */
class PostfixDeliveryIT {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration MAILBOX_WAIT = Duration.ofSeconds(30);

    private static final String FROM = "sender@example.com";
    private static final String TO = "recipient@example.net";
    private static final String SUBJECT = "This is a sendable email";
    private static final String TEXT = "Hi there,\nDid it hit the Spam folder?";

    /** BSD sysexits EX_UNAVAILABLE: every recipient failed permanently. */
    private static final int EX_UNAVAILABLE = 69;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void seedMessageArrivesInPostfixMailboxOverStartTls(@TempDir Path tmp) throws Exception {
        String dns = requiredEnv("DIRECTMX_IT_DNS");
        Path mailbox = Path.of(requiredEnv("DIRECTMX_IT_POSTFIX_MAILBOX"));
        Set<String> before = listFiles(mailbox);

        Run run = send(tmp, dns, TO);

        assertEquals(0, run.exitCode(), () -> "directmx send should exit 0\n" + run);
        JsonNode result = run.json();
        JsonNode recipient = result.path("recipients").path(0);
        assertEquals("delivered", recipient.path("status").asText(null), () -> "recipients[0].status\n" + run);
        JsonNode route = recipient.path("route");
        assertEquals("127.0.0.2", route.path("address").asText(null), () -> "recipients[0].route.address\n" + run);
        assertEquals(25, route.path("port").asInt(-1), () -> "recipients[0].route.port\n" + run);
        String protocol = route.path("tls").path("protocol").asText("");
        assertTrue(protocol.startsWith("TLS"),
                () -> "recipients[0].route.tls.protocol should be TLSv1.x, was '" + protocol + "'\n" + run);
        assertTrue(transcriptLines(result).contains("C: STARTTLS"),
                () -> "some session transcript should hold the line 'C: STARTTLS'\n" + run);

        String messageId = result.path("messageId").asText(null);
        assertNotNull(messageId, () -> "top-level messageId missing\n" + run);

        Delivered mail = awaitDelivery(mailbox, before, messageId);

        assertHeader(mail, "MIME-Version", null);
        assertHeader(mail, "Content-Type", null);
        assertHeader(mail, "Content-Transfer-Encoding", null);
        assertHeader(mail, "From", FROM);
        assertHeader(mail, "To", TO);
        assertHeader(mail, "Message-ID", null);
        assertHeader(mail, "Date", null);
        assertHeader(mail, "Subject", SUBJECT);
        assertEquals(bare(messageId), bare(mail.header("Message-ID")),
                () -> "Message-ID in the mailbox should be the one directmx reported\n" + mail.raw());
        assertTrue(mail.decodedBody().contains(TEXT),
                () -> "the body should hold the text sent\n--- decoded body:\n" + mail.decodedBody()
                        + "\n--- file " + mail.file() + ":\n" + mail.raw());
    }

    @Test
    void nullMxRecipientFailsPermanentlyWithExitCode69(@TempDir Path tmp) throws Exception {
        String dns = requiredEnv("DIRECTMX_IT_DNS");

        Run run = send(tmp, dns, "someone@nullmx.example");

        assertEquals(EX_UNAVAILABLE, run.exitCode(), () -> "a null MX domain should make send exit 69\n" + run);
        JsonNode recipient = run.json().path("recipients").path(0);
        assertEquals("failed", recipient.path("status").asText(null), () -> "recipients[0].status\n" + run);
        assertTrue(recipient.path("retryable").isBoolean(), () -> "recipients[0].retryable should be a boolean\n" + run);
        assertFalse(recipient.path("retryable").asBoolean(), () -> "null MX is permanent: retryable false\n" + run);
    }

    // ------------------------------------------------------------------ helpers

    private static String requiredEnv(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            fail(name + " is not set. These tests need the real peers (NSD and Postfix on loopback): run "
                    + "`scripts/peers/install.sh && scripts/peers/start.sh` as root, then export "
                    + "target/peers/peers.env into the environment of Maven "
                    + "(`set -a; . target/peers/peers.env; set +a`) and run `mvn verify` again.");
        }
        return value;
    }

    /** Runs {@code java -jar target/directmx.jar send ... --json} as a child process. */
    private static Run send(Path tmp, String dns, String to) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("directmx.jar", "target/directmx.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), () -> "the shaded jar is missing: " + jar + " (mvn package builds it)");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(
                java.toString(), "-jar", jar.toString(), "send",
                "--from", FROM,
                "--to", to,
                "--subject", SUBJECT,
                "--text", TEXT,
                "--dns", dns,
                "--allow-private",
                "--json");
        // Files, not pipes: nothing can block on a full pipe, and both survive a timeout.
        Path out = tmp.resolve("stdout.json");
        Path err = tmp.resolve("stderr.txt");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        process.getOutputStream().close();
        if (!process.waitFor(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("directmx send did not finish within " + SEND_TIMEOUT.toSeconds() + " s: " + String.join(" ", command)
                    + "\n--- stdout:\n" + Files.readString(out) + "\n--- stderr:\n" + Files.readString(err));
        }
        return new Run(command, process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private record Run(List<String> command, int exitCode, String stdout, String stderr) {
        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                return fail("stdout of send --json is not JSON: " + e.getMessage() + "\n" + this);
            }
        }

        @Override
        public String toString() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
                    + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
        }
    }

    /** Every {@code sessions[*].transcript[*]} line of the JSON result. */
    private static List<String> transcriptLines(JsonNode result) {
        List<String> lines = new ArrayList<>();
        for (JsonNode session : result.path("sessions")) {
            for (JsonNode line : session.path("transcript")) {
                lines.add(line.asText());
            }
        }
        return lines;
    }

    private static Set<String> listFiles(Path dir) throws IOException {
        assertTrue(Files.isDirectory(dir), () -> "the Postfix mailbox " + dir + " does not exist: did start.sh run?");
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(TreeSet::new, Set::add, Set::addAll);
        }
    }

    /**
     * Waits for a file that was not in the mailbox before and carries this
     * Message-ID. Postfix's Maildir delivery renames a complete file into
     * {@code new/}, so a file seen there is whole.
     */
    private static Delivered awaitDelivery(Path mailbox, Set<String> before, String messageId)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + MAILBOX_WAIT.toNanos();
        Map<String, String> seen = new LinkedHashMap<>();
        while (true) {
            for (String name : listFiles(mailbox)) {
                if (before.contains(name) || seen.containsKey(name)) {
                    continue;
                }
                Delivered mail = Delivered.read(mailbox.resolve(name));
                if (bare(messageId).equals(bare(mail.header("Message-ID")))) {
                    return mail;
                }
                seen.put(name, mail.header("Message-ID"));
            }
            if (System.nanoTime() > deadline) {
                String log = System.getenv("DIRECTMX_IT_POSTFIX_LOG");
                return fail("no message with Message-ID " + messageId + " reached " + mailbox + " within "
                        + MAILBOX_WAIT.toSeconds() + " s; other new files (name=Message-ID): " + seen
                        + (log == null ? "" : "\n--- end of " + log + ":\n" + tail(Path.of(log), 30)));
            }
            Thread.sleep(200);
        }
    }

    /** Message-IDs compared without their angle brackets, whichever form the JSON uses. */
    private static String bare(String messageId) {
        if (messageId == null) {
            return null;
        }
        String id = messageId.trim();
        return id.startsWith("<") && id.endsWith(">") ? id.substring(1, id.length() - 1) : id;
    }

    private static void assertHeader(Delivered mail, String name, String expected) {
        String value = mail.header(name);
        assertNotNull(value, () -> "header " + name + " missing in " + mail.file() + ":\n" + mail.raw());
        assertFalse(value.isBlank(), () -> "header " + name + " is empty in " + mail.file() + ":\n" + mail.raw());
        if (expected != null) {
            assertEquals(expected, value, () -> "header " + name + " in " + mail.file() + ":\n" + mail.raw());
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read: " + e + ")";
        }
    }

    /** A delivered message as Postfix wrote it: LF line ends, Postfix's trace headers on top. */
    private record Delivered(Path file, String raw, Map<String, String> headers, String body) {

        static Delivered read(Path file) throws IOException {
            // Lenient decoding (malformed bytes become U+FFFD) so an odd byte cannot hide the real failure.
            String raw = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).replace("\r\n", "\n");
            int end = raw.indexOf("\n\n");
            String head = end < 0 ? raw : raw.substring(0, end);
            String body = end < 0 ? "" : raw.substring(end + 2);
            Map<String, String> headers = new LinkedHashMap<>();
            String last = null;
            for (String line : head.split("\n")) {
                if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                    headers.merge(last, " " + line.strip(), String::concat);   // unfold
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    last = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                    // The first occurrence wins: Received/Delivered-To repeat, the seed headers do not.
                    if (headers.containsKey(last)) {
                        last = null;
                    } else {
                        headers.put(last, line.substring(colon + 1).strip());
                    }
                }
            }
            return new Delivered(file, raw, headers, body);
        }

        /** Header value by case-insensitive name (Message-ID and Message-Id alike), unfolded. */
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The body with its Content-Transfer-Encoding undone. */
        String decodedBody() {
            String encoding = String.valueOf(header("Content-Transfer-Encoding")).strip().toLowerCase(Locale.ROOT);
            return switch (encoding) {
                case "base64" -> new String(Base64.getMimeDecoder().decode(body.strip()), StandardCharsets.UTF_8)
                        .replace("\r\n", "\n");
                case "quoted-printable" -> decodeQuotedPrintable(body).replace("\r\n", "\n");
                default -> body;
            };
        }

        private static String decodeQuotedPrintable(String text) {
            String joined = text.replace("=\n", "");   // soft line breaks
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] in = joined.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < in.length; i++) {
                if (in[i] == '=' && i + 2 < in.length
                        && Character.digit(in[i + 1], 16) >= 0 && Character.digit(in[i + 2], 16) >= 0) {
                    bytes.write(Character.digit(in[i + 1], 16) * 16 + Character.digit(in[i + 2], 16));
                    i += 2;
                } else {
                    bytes.write(in[i]);
                }
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
