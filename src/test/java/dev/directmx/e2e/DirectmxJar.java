package dev.directmx.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code target/directmx.jar} as a user would, for the end-to-end suites. */
final class DirectmxJar {

    static final Path JAR = Path.of(System.getProperty("directmx.jar", "target/directmx.jar"));

    /** One run: the exit status, the JSON on stdout (null if none), and both streams for messages. */
    record Run(List<String> command, int exitCode, JsonNode json, String stdout, String stderr) {
        JsonNode recipient(int i) {
            return json == null ? null : json.path("recipients").path(i);
        }

        @Override
        public String toString() {
            return "command: " + String.join(" ", command) + "\nexit: " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    private DirectmxJar() {
    }

    /** {@code directmx send --json ARGS...}, waiting at most {@code timeoutSeconds}. */
    static Run send(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "send", "--json"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("directmx-send", ".out");
        Path err = Files.createTempFile("directmx-send", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("directmx send did not finish within " + timeoutSeconds + " s: " + command);
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            JsonNode json = stdout.isBlank() ? null : new ObjectMapper().readTree(stdout);
            return new Run(command, process.exitValue(), json, stdout, Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
