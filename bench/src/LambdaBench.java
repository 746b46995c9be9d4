import dev.directmx.sandbox.dns.SandboxZones;
import dev.directmx.sandbox.dns.ZoneDnsServer;
import dev.directmx.sandbox.smtp.ScriptedSmtpServer;
import dev.directmx.store.DynamoApi;
import dev.directmx.store.DynamoOutcomeStore;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
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
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * The Lambda start-up and memory benchmarks (driven by bench/coldstart.sh and bench/memory.sh).
 * Runs with target/directmx.jar on its class path: dynalite (node) and ElasticMQ (SqsHelper, its
 * own JVM) as child processes, the sandbox DNS and SMTP servers in this process, and every
 * measured handler in a fresh JVM whose class path is target/directmx-lambda.jar plus the
 * compiled LambdaChild, exactly as LambdaArtifactIT runs the artifact.
 *
 * <pre>
 * java -cp target/directmx.jar bench/src/LambdaBench.java coldstart --jvms 10
 * java -cp target/directmx.jar bench/src/LambdaBench.java memory --runs 3
 * </pre>
 */
public final class LambdaBench {

    static final String REAL = "dev.directmx.lambda.SqsDeliveryHandler";
    static final String TRIVIAL = "TrivialHandler";

    String mode;
    int jvms = 10;
    int runs = 3;
    int memoryMb = 512;
    Path src = Path.of("bench/src");
    Path out = Path.of("bench/results");
    Path lambdaJar = Path.of("target/directmx-lambda.jar");
    Path appJar = Path.of("target/directmx.jar");
    Path dynaliteCli = Path.of("infra/node_modules/dynalite/cli.js");
    boolean priming = true;
    String command = "";
    boolean classLog = true;
    boolean fromJar = false;
    /** The artifact extracted as Lambda extracts a deployment package into /var/task; null with --from-jar. */
    Path taskRoot;

    Path work;
    Path classes;
    Process dynalite;
    Process sqsHelper;
    String dynaliteEndpoint;
    String[] sqs;
    ScriptedSmtpServer mx;
    ZoneDnsServer dns;
    String table = "bench";
    int sequence;

    public static void main(String[] args) throws Exception {
        LambdaBench bench = new LambdaBench();
        bench.mode = args.length > 0 ? args[0] : "--help";
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--jvms" -> bench.jvms = Integer.parseInt(args[++i]);
                case "--runs" -> bench.runs = Integer.parseInt(args[++i]);
                case "--memory-mb" -> bench.memoryMb = Integer.parseInt(args[++i]);
                case "--src" -> bench.src = Path.of(args[++i]);
                case "--out" -> bench.out = Path.of(args[++i]);
                case "--lambda-jar" -> bench.lambdaJar = Path.of(args[++i]);
                case "--app-jar" -> bench.appJar = Path.of(args[++i]);
                case "--dynalite" -> bench.dynaliteCli = Path.of(args[++i]);
                case "--no-priming" -> bench.priming = false;
                case "--command" -> bench.command = args[++i];
                case "--no-class-log" -> bench.classLog = false;
                case "--from-jar" -> bench.fromJar = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        switch (bench.mode) {
            case "coldstart" -> bench.run(bench::coldStart);
            case "memory" -> bench.run(bench::memory);
            default -> System.out.println("usage: LambdaBench coldstart|memory [--jvms N] [--runs N] [--memory-mb MB]"
                    + " [--crac-jar JAR] [--out DIR] [--lambda-jar JAR] [--dynalite CLI] [--from-jar] [--no-priming] [--no-class-log]");
        }
    }

    interface Body {
        void run() throws Exception;
    }

    void run(Body body) throws Exception {
        work = Files.createTempDirectory("directmx-bench-");
        try {
            compileChildren();
            extractArtifact();
            startServers();
            body.run();
        } finally {
            stopServers();
        }
    }

    static void progress(String text) {
        System.err.println("[" + java.time.LocalTime.now().withNano(0) + "] " + text);
    }

    // ---------------------------------------------------------------- set-up

    void compileChildren() throws IOException {
        classes = Files.createDirectories(work.resolve("classes"));
        // The Lambda jar carries the org.crac facade (the handler's SnapStart hook needs it).
        List<String> javac = new ArrayList<>(List.of("-d", classes.toString(), "-nowarn", "-cp", lambdaJar.toString(),
                src.resolve("LambdaChild.java").toString(), src.resolve("TrivialHandler.java").toString(),
                src.resolve("CracPriming.java").toString()));
        int rc = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, javac.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("javac failed: " + javac);
        }
    }

    /**
     * Lambda extracts a .zip or .jar deployment package into /var/task and loads the classes from
     * there, not from inside the jar; the children do the same unless --from-jar.
     */
    void extractArtifact() throws IOException {
        if (fromJar) {
            return;
        }
        taskRoot = Files.createDirectories(work.resolve("task"));
        try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(Files.newInputStream(lambdaJar))) {
            for (java.util.zip.ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                Path target = taskRoot.resolve(entry.getName()).normalize();
                if (!target.startsWith(taskRoot)) {
                    throw new IOException("entry outside the artifact's root: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target);
                }
            }
        }
    }

    Path artifactClassPath() {
        return taskRoot != null ? taskRoot : lambdaJar;
    }

    String artifactDescription() {
        return taskRoot != null ? "`" + lambdaJar + "` extracted into a directory, as Lambda extracts the deployment package"
                + " into /var/task" : "`" + lambdaJar + "` itself (--from-jar)";
    }

    void startServers() throws Exception {
        progress("starting dynalite, ElasticMQ (own JVM), sandbox DNS and SMTP");
        int port = freePort();
        dynalite = new ProcessBuilder("node", dynaliteCli.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
                .redirectErrorStream(true).redirectOutput(work.resolve("dynalite.log").toFile()).start();
        dynaliteEndpoint = "http://127.0.0.1:" + port;
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        sqsHelper = new ProcessBuilder(java.toString(), "-cp", appJar.toString(), src.resolve("SqsHelper.java").toString())
                .redirectError(work.resolve("sqs.log").toFile()).start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(sqsHelper.getInputStream(), StandardCharsets.UTF_8));
        String line = reader.readLine();
        if (line == null || !line.startsWith("sqs ")) {
            throw new IllegalStateException("ElasticMQ helper did not start: " + Files.readString(work.resolve("sqs.log")));
        }
        sqs = line.split(" ");
        mx = ScriptedSmtpServer.builder().bind(InetAddress.getByName("127.0.0.2"), 0).start();
        dns = ZoneDnsServer.start(new SandboxZones().mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.2"));
        awaitPort(port);
        try (DynamoApi client = new DynamoApi(URI.create(dynaliteEndpoint), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")),
                UrlConnectionHttpClient.create())) {
            DynamoOutcomeStore.createTable(client, table);
        }
        progress("servers up: dynalite " + dynaliteEndpoint + ", sqs " + sqs[1] + ", dns " + dns.hostPort()
                + ", smtp 127.0.0.2:" + mx.port());
    }

    void stopServers() {
        if (mx != null) {
            mx.close();
        }
        if (dns != null) {
            dns.close();
        }
        for (Process p : new Process[] {sqsHelper, dynalite}) {
            if (p == null) {
                continue;
            }
            try {
                p.getOutputStream().close();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroy();
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            } catch (IOException | InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("dynalite did not listen on " + port);
    }

    /** The heap and flags the Lambda Java runtime gives a function of this memory size. */
    static List<String> lambdaFlags(int memoryMb) {
        long kb = memoryMb * 1024L;
        return List.of("-XX:MaxHeapSize=" + Math.round(kb * 0.85) + "k", "-XX:MaxMetaspaceSize=" + Math.round(kb * 0.10) + "k",
                "-XX:ReservedCodeCacheSize=" + Math.round(kb * 0.05) + "k", "-XX:+UseSerialGC", "-Xshare:auto",
                "-Djava.net.preferIPv4Stack=true");
    }

    static final String TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";

    Map<String, String> env(ProcessBuilder child) {
        Map<String, String> env = child.environment();
        env.put("DIRECTMX_TABLE", table);
        env.put("DIRECTMX_QUEUE_URL", sqs[2]);
        env.put("DIRECTMX_DEAD_LETTER_QUEUE_URL", sqs[3]);
        env.put("DIRECTMX_HELO", "client.example.com");
        env.put("DIRECTMX_DNS", dns.hostPort());
        env.put("DIRECTMX_PORTS", String.valueOf(mx.port()));
        env.put("DIRECTMX_FALLBACK_PORTS", "none");
        env.put("DIRECTMX_ALLOW_PRIVATE", "true");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynaliteEndpoint);
        env.put("AWS_ENDPOINT_URL_SQS", sqs[1]);
        env.put("JAVA_TOOL_OPTIONS", TOOL_OPTIONS);
        return env;
    }

    /** A small message with a fresh id, so that every run really delivers. */
    Path smallBody() throws IOException {
        int n = ++sequence;
        return Files.writeString(work.resolve("body-" + n + ".json"), """
                {"id": "bench-%d-%d", "from": "sender@example.com", "to": ["recipient@example.net"],
                 "subject": "Cold start %d", "text": "Hi there,\\nDid it hit the Spam folder?"}"""
                .formatted(ProcessHandle.current().pid(), n, n));
    }

    /** A message of about 200 KB: a short text and a 145 KB binary attachment (base64 in JSON and MIME). */
    Path largeBody(Random random) throws IOException {
        int n = ++sequence;
        byte[] pdf = new byte[145 * 1024];
        random.nextBytes(pdf);
        byte[] csv = ("id,value\n" + "1,2\n".repeat(1000)).getBytes(StandardCharsets.US_ASCII);
        return Files.writeString(work.resolve("large-" + n + ".json"), """
                {"id": "bench-large-%d-%d", "from": "Sender <sender@example.com>", "to": ["recipient@example.net"],
                 "subject": "Report %d", "text": "Hi there,\\nthe report is attached.", "html": "<p>Hi there,<br>the report is attached.</p>",
                 "attachments": [{"filename": "report.pdf", "contentType": "application/pdf", "content": "%s"},
                                 {"filename": "data.csv", "contentType": "text/csv", "content": "%s"}]}"""
                .formatted(ProcessHandle.current().pid(), n, n, Base64.getEncoder().encodeToString(pdf),
                        Base64.getEncoder().encodeToString(csv)));
    }

    record Result(Map<String, Object> fields, String output) {
        double num(String key) {
            return ((Number) fields.get(key)).doubleValue();
        }
    }

    /** Runs one child JVM and returns its BENCH line, plus the spawn-to-return time the parent sees. */
    Result child(List<String> jvmFlags, List<String> childArgs, List<String> extraCp) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        String cp = artifactClassPath() + File.pathSeparator + classes;
        for (String extra : extraCp) {
            cp += File.pathSeparator + extra;
        }
        cmd.addAll(List.of("-cp", cp, "LambdaChild"));
        cmd.addAll(childArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        env(pb);
        long spawnEpoch = System.currentTimeMillis();
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("child failed (" + cmd + "):\n" + output);
        }
        Matcher m = Pattern.compile("BENCH (\\{.*})").matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("no BENCH line:\n" + output);
        }
        Map<String, Object> fields = parseFlatJson(m.group(1));
        fields.put("spawnEpochMs", spawnEpoch);
        fields.put("spawnToReturnMs", ((Number) fields.get("endEpochMs")).doubleValue() - spawnEpoch);
        fields.put("procStartToReturnMs", ((Number) fields.get("endEpochMs")).doubleValue()
                - ((Number) fields.get("procStartEpochMs")).doubleValue());
        fields.put("jvmStartToReturnMs", ((Number) fields.get("endEpochMs")).doubleValue()
                - ((Number) fields.get("jvmStartEpochMs")).doubleValue());
        fields.put("spawnToMainMs", ((Number) fields.get("mainEpochMs")).doubleValue() - spawnEpoch);
        if (((Number) fields.get("failures")).intValue() != 0) {
            throw new IllegalStateException("the batch reported failures:\n" + output);
        }
        return new Result(fields, output);
    }

    static Map<String, Object> parseFlatJson(String json) {
        Map<String, Object> map = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\"(\\w+)\":(\"(?:[^\"\\\\]|\\\\.)*\"|null|-?[0-9.]+)").matcher(json);
        while (m.find()) {
            String v = m.group(2);
            map.put(m.group(1), v.equals("null") ? null : v.startsWith("\"") ? v.substring(1, v.length() - 1)
                    : v.contains(".") ? (Object) Double.parseDouble(v) : (Object) Long.parseLong(v));
        }
        return map;
    }

    // ---------------------------------------------------------------- cold start

    void coldStart() throws Exception {
        List<String> flags = lambdaFlags(memoryMb);
        List<Result> trivial = new ArrayList<>();
        List<Result> real = new ArrayList<>();
        progress("warming the OS page cache and the servers (one unmeasured run of each)");
        child(flags, List.of("--handler", TRIVIAL, smallBody().toString()), List.of());
        child(flags, List.of("--handler", REAL, smallBody().toString()), List.of());
        for (int i = 1; i <= jvms; i++) {
            // Alternate the order so that drift on the machine hits both sides alike.
            boolean trivialFirst = i % 2 == 1;
            for (int k = 0; k < 2; k++) {
                boolean isTrivial = (k == 0) == trivialFirst;
                Result r = child(flags, List.of("--handler", isTrivial ? TRIVIAL : REAL, smallBody().toString()), List.of());
                (isTrivial ? trivial : real).add(r);
                progress(String.format(Locale.ROOT, "jvm %d/%d %-8s start->return %6.0f ms (init %5.0f, first batch %5.0f)",
                        i, jvms, isTrivial ? "trivial" : "directmx", r.num("procStartToReturnMs"), r.num("initMs"),
                        r.num("handleMs")));
            }
        }
        List<Result> primed = new ArrayList<>();
        String primeNote;
        if (priming) {
            for (int i = 1; i <= jvms; i++) {
                Result r = child(flags, List.of("--handler", REAL, "--prime", "hook", smallBody().toString()), List.of());
                primed.add(r);
                progress(String.format(Locale.ROOT, "jvm %d/%d primed: init %5.0f + priming %5.0f ms, first batch after priming %5.0f ms",
                        i, jvms, r.num("initMs"), r.num("primeMs"), r.num("handleMs")));
            }
            primeNote = String.valueOf(primed.get(0).fields().get("primeOutcome"));
        } else {
            primeNote = "priming not measured (--no-priming)";
        }
        Map<String, Object> classLoad = classLog ? classLoading(flags) : Map.of();
        writeColdStart(flags, trivial, real, primed, primeNote, classLoad);
    }

    /** One extra run of each handler with -Xlog:class+load: counts per phase and per library. */
    Map<String, Object> classLoading(List<String> flags) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        for (String handler : List.of(TRIVIAL, REAL)) {
            Path log = work.resolve("classload-" + (handler.equals(REAL) ? "real" : "trivial") + ".log");
            List<String> f = new ArrayList<>(flags);
            f.add("-Xlog:class+load=info:file=" + log + ":uptimemillis");
            Result r = child(f, List.of("--handler", handler, smallBody().toString()), List.of());
            // Phases from marker classes LambdaChild loads at each boundary, in the log's own clock.
            String phase = "beforeMain";
            Map<String, Integer> phases = new LinkedHashMap<>();
            for (String p : List.of("beforeMain", "init", "firstBatch", "after")) {
                phases.put(p, 0);
            }
            Map<String, Map<String, Integer>> byLib = new TreeMap<>();
            Map<String, Integer> bySource = new TreeMap<>();
            Map<String, Long> boundaries = new LinkedHashMap<>();
            Pattern line = Pattern.compile("^\\[(\\d+)ms\\]\\s*(\\S+) source: (.*)");
            for (String l : Files.readAllLines(log)) {
                Matcher m = line.matcher(l);
                if (!m.find()) {
                    continue;
                }
                String name = m.group(2);
                switch (name) {
                    case "LambdaChild" -> phase = "init";
                    case "LambdaChild$InitDone" -> phase = "firstBatch";
                    case "LambdaChild$BatchDone" -> phase = "after";
                    default -> { }
                }
                if (name.startsWith("LambdaChild")) {
                    boundaries.put(name, Long.parseLong(m.group(1)));
                    continue;
                }
                phases.merge(phase, 1, Integer::sum);
                String source = m.group(3);
                String kind = source.startsWith("shared objects file") ? "CDS archive" : source.startsWith("jrt:") ? "JDK (jrt)"
                        : source.contains(".jar") || (taskRoot != null && source.contains(taskRoot.toString())) ? "lambda artifact"
                        : source.startsWith("file:") ? "bench classes" : "generated";
                bySource.merge(kind, 1, Integer::sum);
                byLib.computeIfAbsent(phase, k -> new TreeMap<>()).merge(library(m.group(2)), 1, Integer::sum);
            }
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("markerUptimeMs", boundaries);
            one.put("total", phases.values().stream().mapToInt(Integer::intValue).sum());
            one.put("phases", phases);
            one.put("bySource", bySource);
            one.put("byLibraryAndPhase", byLib);
            result.put(handler.equals(REAL) ? "directmx" : "trivial", one);
        }
        return result;
    }

    static String library(String className) {
        String[][] groups = {
                {"software.amazon.awssdk.services.dynamodb", "AWS SDK DynamoDB"},
                {"software.amazon.awssdk.services.sqs", "AWS SDK SQS"},
                {"software.amazon.awssdk.http", "AWS SDK HTTP client"},
                {"software.amazon.awssdk.core", "AWS SDK core"},
                {"software.amazon.awssdk.auth", "AWS SDK auth"},
                {"software.amazon.awssdk.regions", "AWS SDK regions"},
                {"software.amazon.awssdk.protocols", "AWS SDK protocols"},
                {"software.amazon.awssdk.http.auth", "AWS SDK auth"},
                {"software.amazon.awssdk", "AWS SDK other"},
                {"software.amazon.eventstream", "AWS SDK other"},
                {"com.amazonaws.services.lambda", "Lambda events/core"},
                {"org.xbill.DNS", "dnsjava"},
                {"org.eclipse.angus", "Angus Mail"},
                {"jakarta.mail", "Jakarta Mail API"},
                {"jakarta.activation", "Jakarta Activation"},
                {"com.fasterxml.jackson", "Jackson"},
                {"dev.directmx", "directmx"},
                {"org.slf4j", "SLF4J"},
                {"org.reactivestreams", "reactive-streams"},
        };
        for (String[] g : groups) {
            if (className.startsWith(g[0])) {
                return g[1];
            }
        }
        if (className.contains("$$Lambda") || className.contains("LambdaForm") || className.contains("$Proxy")) {
            return "JDK generated (lambdas, proxies)";
        }
        boolean jdk = className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.");
        int depth = jdk ? 3 : 2;
        int dots = 0;
        int i = 0;
        for (; i < className.length() && dots < depth; i++) {
            if (className.charAt(i) == '.') {
                dots++;
            }
        }
        String pkg = dots < depth ? className.substring(0, Math.max(0, className.lastIndexOf('.'))) : className.substring(0, i - 1);
        return jdk ? "JDK " + pkg : pkg;
    }

    // ---------------------------------------------------------------- memory

    void memory() throws Exception {
        Random random = new Random(42);
        List<Map<String, Object>> configs = new ArrayList<>();
        List<List<String>> flagSets = List.of(lambdaFlags(memoryMb), List.of("-XX:MaxRAM=" + memoryMb + "m"));
        List<String> names = List.of("lambda-" + memoryMb, "MaxRAM=" + memoryMb + "m");
        for (int c = 0; c < flagSets.size(); c++) {
            List<Result> results = new ArrayList<>();
            for (int i = 1; i <= runs; i++) {
                List<String> bodies = new ArrayList<>();
                long bytes = 0;
                for (int k = 0; k < 10; k++) {
                    Path b = largeBody(random);
                    bytes += Files.size(b);
                    bodies.add(b.toString());
                }
                List<String> flags = new ArrayList<>(flagSets.get(c));
                Path gcLog = work.resolve("gc-" + c + "-" + i + ".log");
                flags.add("-Xlog:gc:file=" + gcLog);
                List<String> args = new ArrayList<>(List.of("--handler", REAL));
                args.addAll(bodies);
                int before = mx.received().size();
                Result r = child(flags, args, List.of());
                int delivered = mx.received().size() - before;
                long largest = mx.received().stream().skip(before).mapToLong(m -> m.text().length()).max().orElse(0);
                r.fields().put("gcLogMaxBeforeGcKb", maxBeforeGc(gcLog));
                r.fields().put("gcCount", Files.readAllLines(gcLog).stream().filter(l -> l.contains("Pause")).count());
                r.fields().put("bodyBytesTotal", bytes);
                r.fields().put("delivered", delivered);
                r.fields().put("largestMessageChars", largest);
                if (delivered != 10) {
                    throw new IllegalStateException("expected 10 deliveries, got " + delivered);
                }
                results.add(r);
                progress(String.format(Locale.ROOT, "%s run %d/%d: VmHWM %.1f MB, heap peak %.1f MB (max heap %.0f MB), batch %.0f ms",
                        names.get(c), i, runs, r.num("vmHwmKb") / 1024, r.num("heapPeakSumBytes") / 1048576.0,
                        r.num("heapMaxBytes") / 1048576.0, r.num("handleMs")));
            }
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("name", names.get(c));
            config.put("flags", flagSets.get(c));
            config.put("runs", results.stream().map(Result::fields).toList());
            configs.add(config);
        }
        writeMemory(configs);
    }

    static long maxBeforeGc(Path gcLog) throws IOException {
        long max = 0;
        Matcher m = Pattern.compile("(\\d+)([KMG])->").matcher(Files.readString(gcLog));
        while (m.find()) {
            long v = Long.parseLong(m.group(1)) * switch (m.group(2)) {
                case "K" -> 1L;
                case "M" -> 1024L;
                default -> 1024L * 1024;
            };
            max = Math.max(max, v);
        }
        return max;
    }

    // ---------------------------------------------------------------- reports

    static double median(List<Double> values) {
        List<Double> s = values.stream().sorted().toList();
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static String stat(List<Result> results, String key) {
        List<Double> v = results.stream().map(r -> r.num(key)).toList();
        return String.format(Locale.ROOT, "%.0f (%.0f–%.0f)", median(v), v.stream().mapToDouble(d -> d).min().orElse(0),
                v.stream().mapToDouble(d -> d).max().orElse(0));
    }

    static double med(List<Result> results, String key) {
        return median(results.stream().map(r -> r.num(key)).toList());
    }

    static String machine() throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.split(":", 2)[1].trim()).orElse("?");
        String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        return String.format(Locale.ROOT, "- nproc: %d; CPU: %s; %s; kernel %s; load average at the end: %s%n- JDK: %s %s (%s)%n",
                Runtime.getRuntime().availableProcessors(), cpu, mem, kernel, load, System.getProperty("java.vm.vendor"),
                System.getProperty("java.runtime.version"), System.getProperty("java.home"));
    }

    void writeColdStart(List<String> flags, List<Result> trivial, List<Result> real, List<Result> primed, String primeNote,
            Map<String, Object> classLoad) throws Exception {
        Files.createDirectories(out);
        double ratio = med(real, "procStartToReturnMs") / med(trivial, "procStartToReturnMs");
        double ratioSpawn = med(real, "spawnToReturnMs") / med(trivial, "spawnToReturnMs");
        double realMedian = med(real, "procStartToReturnMs");
        StringBuilder md = new StringBuilder();
        md.append("## Cold start (").append(jvms).append(" fresh JVMs each)\n\n");
        md.append("Command: `").append(command).append("`\n\n");
        md.append(machine());
        md.append("- Child JVM: `").append(String.join(" ", flags)).append("`, `JAVA_TOOL_OPTIONS=").append(TOOL_OPTIONS)
                .append("` (the heap, metaspace and code cache the Lambda Java runtime gives a ").append(memoryMb)
                .append(" MB function: 85/10/5 %), class path: ").append(artifactDescription()).append(" + the bench classes only.\n");
        md.append("- One SQS record per batch; directmx delivers it to a sandbox SMTP server (found through sandbox DNS),"
                + " records it in dynalite and talks to ElasticMQ only if needed. Each run has a fresh message id.\n\n");
        md.append("Milliseconds, median (min–max):\n\n");
        md.append("| | trivial handler | directmx SqsDeliveryHandler | ratio of medians |\n|---|---|---|---|\n");
        String[][] rows = {
                {"process start → handler returned (/proc start, ±10 ms)", "procStartToReturnMs"},
                {"parent spawn → handler returned", "spawnToReturnMs"},
                {"VM initialised (RuntimeMXBean start time) → handler returned", "jvmStartToReturnMs"},
                {"spawn → main()", "spawnToMainMs"},
                {"init (constructor, by reflection)", "initMs"},
                {"first handleRequest (1 record)", "handleMs"},
        };
        for (String[] row : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2fx |%n", row[0], stat(trivial, row[1]), stat(real, row[1]),
                    med(real, row[1]) / Math.max(0.001, med(trivial, row[1]))));
        }
        md.append(String.format(Locale.ROOT, "%n**Ratio (process start → first batch returned): %.2fx** (target ≤ 2x: %s). "
                        + "**Whole first batch from process start: %.0f ms median, %.0f ms max** (target < 1500 ms: %s).%n%n",
                ratio, ratio <= 2 ? "met" : "NOT met", realMedian,
                real.stream().mapToDouble(r -> r.num("procStartToReturnMs")).max().orElse(0),
                realMedian < 1500 ? "met by the median" : "NOT met"));
        md.append("### SnapStart / CRaC priming\n\n");
        if (primed.isEmpty()) {
            md.append(primeNote).append("\n\n");
        } else {
            md.append("The `org.crac` facade comes from the Lambda jar (`io.github.crac:org-crac`). A `Resource` whose `beforeCheckpoint`"
                    + " runs the handler's own SnapStart priming (`SqsDeliveryHandler.prime()`, what its registered hook runs:"
                    + " a sample message parsed, composed and DKIM-signed, one store read; nothing sent) is registered, then `Core.checkpointRestore()`"
                    + " is called. Outcome on this JDK: `" + primeNote + "`. With no CRaC JVM the facade cannot snapshot, so the"
                    + " bench calls the registered resource's `beforeCheckpoint` then `afterRestore` itself (the facade's global context refuses direct calls: `should not call this`):"
                    + " the priming code paths are exercised, but restore time is not measurable here (SnapStart restores from a"
                    + " Firecracker snapshot, typically a few hundred ms, not reproducible locally).\n\n");
            md.append("| | milliseconds, median (min–max) |\n|---|---|\n");
            md.append("| init (constructor) | ").append(stat(primed, "initMs")).append(" |\n");
            md.append("| priming (the handler's beforeCheckpoint hook) | ").append(stat(primed, "primeMs")).append(" |\n");
            md.append("| init + priming (what SnapStart would pay at publish time) | ")
                    .append(String.format(Locale.ROOT, "%.0f", med(primed, "initMs") + med(primed, "primeMs"))).append(" |\n");
            md.append("| first batch after priming (what a restored environment would pay, minus restore) | ")
                    .append(stat(primed, "handleMs")).append(" |\n");
            md.append("| first batch without priming (above) | ").append(stat(real, "handleMs")).append(" |\n\n");
        }
        if (!classLoad.isEmpty()) {
            md.append("### Classes loaded (one extra run of each with `-Xlog:class+load`)\n\n");
            for (Map.Entry<String, Object> e : classLoad.entrySet()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> one = (Map<String, Object>) e.getValue();
                md.append("- ").append(e.getKey()).append(": ").append(one.get("total")).append(" classes; by phase ")
                        .append(one.get("phases")).append("; by source ").append(one.get("bySource")).append("\n");
            }
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Integer>> byLib = (Map<String, Map<String, Integer>>)
                    ((Map<String, Object>) classLoad.get("directmx")).get("byLibraryAndPhase");
            md.append("\ndirectmx, classes loaded per library in init and in the first batch (top 25; JDK classes by package):\n\n");
            md.append("| library | init | first batch |\n|---|---|---|\n");
            Map<String, int[]> table = new TreeMap<>();
            byLib.getOrDefault("init", Map.of()).forEach((k, v) -> table.computeIfAbsent(k, x -> new int[2])[0] = v);
            byLib.getOrDefault("firstBatch", Map.of()).forEach((k, v) -> table.computeIfAbsent(k, x -> new int[2])[1] = v);
            table.entrySet().stream().sorted((a, b) -> Integer.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]))
                    .limit(25).forEach(en -> md.append("| ").append(en.getKey()).append(" | ").append(en.getValue()[0])
                            .append(" | ").append(en.getValue()[1]).append(" |\n"));
            md.append("\n");
        }
        Files.writeString(out.resolve("coldstart.md"), md);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("jvmFlags", flags);
        json.put("javaToolOptions", TOOL_OPTIONS);
        json.put("ratioProcStartMedian", ratio);
        json.put("ratioSpawnMedian", ratioSpawn);
        json.put("trivial", trivial.stream().map(Result::fields).toList());
        json.put("directmx", real.stream().map(Result::fields).toList());
        json.put("primed", primed.stream().map(Result::fields).toList());
        json.put("primeOutcome", primeNote);
        json.put("classLoading", classLoad);
        Files.writeString(out.resolve("coldstart.json"), Json.write(json) + "\n");
        progress("wrote " + out.resolve("coldstart.md") + " and coldstart.json");
        System.out.print(md);
    }

    @SuppressWarnings("unchecked")
    void writeMemory(List<Map<String, Object>> configs) throws Exception {
        Files.createDirectories(out);
        long jarBytes = Files.size(lambdaJar);
        StringBuilder md = new StringBuilder();
        md.append("## Memory and size\n\nCommand: `").append(command).append("`\n\n").append(machine());
        md.append("- One batch of 10 messages, each ~200 KB (text + html + a 145 KB PDF-like binary and a small CSV attachment,"
                + " base64 in the JSON), handled by `SqsDeliveryHandler` from `").append(lambdaJar)
                .append("` alone, delivered to a sandbox SMTP server, recorded in dynalite. `JAVA_TOOL_OPTIONS=").append(TOOL_OPTIONS)
                .append("`. ").append(runs).append(" fresh JVMs per configuration.\n");
        md.append("- Peak RSS is VmHWM from /proc/self/status after the batch; peak heap is the sum of the heap pools' peak usage"
                + " (MemoryMXBean pools; an upper bound, pools peak at different times) and the largest before-GC occupancy in"
                + " `-Xlog:gc`.\n\n");
        md.append("| configuration | max heap | peak RSS (VmHWM) MB | peak heap (pools) MB | heap before GC (gc log) MB | GCs | batch ms | fits "
                + memoryMb + " MB |\n|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> config : configs) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> runsList = (List<Map<String, Object>>) config.get("runs");
            List<Result> rs = runsList.stream().map(f -> new Result(f, "")).toList();
            double hwmMax = rs.stream().mapToDouble(r -> r.num("vmHwmKb")).max().orElse(0) / 1024;
            md.append(String.format(Locale.ROOT, "| `%s` (%s) | %.0f MB | %s | %s | %s | %s | %s | %s |%n",
                    config.get("name"), String.join(" ", (List<String>) config.get("flags")), rs.get(0).num("heapMaxBytes") / 1048576.0,
                    statScaled(rs, "vmHwmKb", 1024), statScaled(rs, "heapPeakSumBytes", 1048576), statScaled(rs, "gcLogMaxBeforeGcKb", 1024),
                    statScaled(rs, "gcCount", 1), stat(rs, "handleMs"),
                    hwmMax < memoryMb ? String.format(Locale.ROOT, "yes (worst %.0f MB RSS)", hwmMax)
                            : String.format(Locale.ROOT, "NO (worst %.0f MB RSS)", hwmMax)));
        }
        md.append(String.format(Locale.ROOT, "%nValues: median (min–max). Deployment artifact `%s`: **%.1f MB** (%d bytes; target < 20 MB: %s).%n%n",
                lambdaJar, jarBytes / 1048576.0, jarBytes, jarBytes < 20L * 1024 * 1024 ? "met" : "NOT met"));
        md.append("Caveat: Lambda counts the whole sandbox against the memory size (the runtime interface client runs in this JVM"
                + " too, with its own few MB of classes); the margin under the limit is what matters.\n\n");
        Files.writeString(out.resolve("memory.md"), md);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("memoryMb", memoryMb);
        json.put("lambdaJarBytes", jarBytes);
        json.put("configurations", configs);
        Files.writeString(out.resolve("memory.json"), Json.write(json) + "\n");
        progress("wrote " + out.resolve("memory.md") + " and memory.json");
        System.out.print(md);
    }

    static String statScaled(List<Result> results, String key, double scale) {
        List<Double> v = results.stream().map(r -> r.num(key) / scale).toList();
        return String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", median(v), v.stream().mapToDouble(d -> d).min().orElse(0),
                v.stream().mapToDouble(d -> d).max().orElse(0));
    }

    /** Minimal JSON writer for maps, lists, strings, numbers, booleans and null. */
    static final class Json {
        static String write(Object o) {
            StringBuilder sb = new StringBuilder();
            write(o, sb);
            return sb.toString();
        }

        static void write(Object o, StringBuilder sb) {
            if (o == null) {
                sb.append("null");
            } else if (o instanceof Map<?, ?> map) {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    sb.append(first ? "" : ",");
                    first = false;
                    write(String.valueOf(e.getKey()), sb);
                    sb.append(':');
                    write(e.getValue(), sb);
                }
                sb.append('}');
            } else if (o instanceof List<?> list) {
                sb.append('[');
                for (int i = 0; i < list.size(); i++) {
                    sb.append(i == 0 ? "" : ",");
                    write(list.get(i), sb);
                }
                sb.append(']');
            } else if (o instanceof Number || o instanceof Boolean) {
                sb.append(o);
            } else {
                sb.append('"').append(o.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
            }
        }
    }
}
