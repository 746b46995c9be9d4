package dev.directmx.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/directmx}, the launcher the README and the benchmark run: it finds a JDK 21+, runs
 * {@code target/directmx.jar} with its default JVM flags unless {@code DIRECTMX_JAVA_OPTS} says
 * otherwise, and says how to build a missing jar. The JVM's own {@code JDK_JAVA_OPTIONS} makes it
 * print the flags in effect.
 */
class LauncherIT {

    private static final Path LAUNCHER = Path.of("bin/directmx");

    private record Run(int exit, String output) {
    }

    private static Run run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        ProcessBuilder launcher = new ProcessBuilder(concat(LAUNCHER.toString(), args)).redirectErrorStream(true);
        launcher.environment().remove("DIRECTMX_JAVA_OPTS");
        launcher.environment().putAll(environment);
        Process process = launcher.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    private static List<String> concat(String first, String... rest) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), java.util.Arrays.stream(rest)).toList();
    }

    @Test
    void runsTheJarWithSerialGcAndC1ByDefault() throws Exception {
        Run run = run(Map.of("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal"), "--help");

        assertThat(run.exit()).isZero();
        assertThat(run.output()).containsPattern("bool UseSerialGC +\\= true")
                .containsPattern("intx TieredStopAtLevel +\\= 1 ")
                .contains("Delivers email straight to recipients' MX servers.");
    }

    @Test
    void emptyJavaOptionsGiveTheJvmDefaults() throws Exception {
        Run run = run(Map.of("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal", "DIRECTMX_JAVA_OPTS", ""), "--version");

        assertThat(run.exit()).isZero();
        assertThat(run.output()).containsPattern("intx TieredStopAtLevel +\\= 4 ");
    }

    @Test
    void aMissingJarIsNamedWithTheBuildCommand() throws Exception {
        Run run = run(Map.of("DIRECTMX_JAR", "target/no-such.jar"), "--help");

        assertThat(run.exit()).isEqualTo(66);
        assertThat(run.output()).contains("target/no-such.jar is missing; build it with:")
                .contains("mvn -B -ntp package -DskipTests");
    }
}
