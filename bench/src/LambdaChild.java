import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One cold start, run by LambdaBench in a fresh JVM whose class path is the Lambda artifact and
 * the compiled bench classes: builds the handler the way the Lambda runtime does (by name, no-
 * argument constructor), hands it one batch made of the given body files, and prints one line
 * "BENCH {json}" with the timings (epoch ms and durations) and memory figures.
 *
 * <pre>LambdaChild --handler CLASS [--prime WARMUP.json] BODY.json ...</pre>
 */
public final class LambdaChild {
    public static void main(String[] args) throws Exception {
        long mainEpoch = System.currentTimeMillis();
        long mainNanos = System.nanoTime();
        String handlerClass = null;
        String prime = null;
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--handler" -> handlerClass = args[++i];
                case "--prime" -> prime = args[++i];
                default -> bodies.add(args[i]);
            }
        }
        Context context = (Context) Proxy.newProxyInstance(LambdaChild.class.getClassLoader(),
                new Class<?>[] {Context.class},
                (proxy, method, margs) -> method.getName().equals("getRemainingTimeInMillis") ? 120_000 : null);

        long initStart = System.nanoTime();
        @SuppressWarnings("unchecked")
        RequestHandler<SQSEvent, SQSBatchResponse> handler = (RequestHandler<SQSEvent, SQSBatchResponse>)
                Class.forName(handlerClass).getDeclaredConstructor().newInstance();
        long initEnd = System.nanoTime();
        long initEndEpoch = System.currentTimeMillis();
        new InitDone(); // a phase marker in -Xlog:class+load

        String primeOutcome = null;
        long primeEnd = initEnd;
        if (prime != null) {
            // "hook": the handler's own SnapStart priming (SqsDeliveryHandler.prime(), what its
            // registered beforeCheckpoint runs: nothing sent); otherwise a warm-up batch of that body.
            Runnable warmUp;
            if (prime.equals("hook")) {
                warmUp = () -> {
                    try {
                        handler.getClass().getMethod("prime").invoke(handler);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException("the handler has no prime(): " + e, e);
                    }
                };
            } else {
                SQSEvent warm = event(List.of(prime), "prime");
                warmUp = () -> handler.handleRequest(warm, context);
            }
            primeOutcome = CracPriming.prime(warmUp);
            primeEnd = System.nanoTime();
            new PrimeDone(); // a phase marker in -Xlog:class+load
        }

        SQSEvent event = event(bodies, "bench");
        long handleStart = System.nanoTime();
        SQSBatchResponse response = handler.handleRequest(event, context);
        long handleEnd = System.nanoTime();
        long endEpoch = System.currentTimeMillis();
        new BatchDone(); // a phase marker in -Xlog:class+load

        // Everything below runs after the measured window.
        long procStartEpoch = procStartEpochMillis();
        long handleStartEpoch = ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(-1L);
        long jvmStartEpoch = ManagementFactory.getRuntimeMXBean().getStartTime();
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        Map<String, Long> status = procStatus();
        System.out.println(String.format(Locale.ROOT, "BENCH {\"handler\":\"%s\",\"records\":%d,\"failures\":%d,"
                        + "\"mainEpochMs\":%d,\"endEpochMs\":%d,\"initEndEpochMs\":%d,\"procStartEpochMs\":%d,"
                        + "\"processHandleStartEpochMs\":%d,\"jvmStartEpochMs\":%d,"
                        + "\"preMainToInitMs\":%.3f,\"initMs\":%.3f,\"primeMs\":%.3f,\"handleMs\":%.3f,"
                        + "\"primeOutcome\":%s,\"heapPeakSumBytes\":%d,\"heapMaxBytes\":%d,"
                        + "\"vmHwmKb\":%d,\"vmRssKb\":%d,\"loadedClasses\":%d}",
                handlerClass, event.getRecords().size(), response.getBatchItemFailures().size(),
                mainEpoch, endEpoch, initEndEpoch, procStartEpoch, handleStartEpoch, jvmStartEpoch,
                (initStart - mainNanos) / 1e6, (initEnd - initStart) / 1e6, (primeEnd - initEnd) / 1e6,
                (handleEnd - handleStart) / 1e6,
                primeOutcome == null ? "null" : "\"" + primeOutcome.replace("\"", "'").replace("\n", " ") + "\"",
                heapPeak, Runtime.getRuntime().maxMemory(), status.getOrDefault("VmHWM", -1L),
                status.getOrDefault("VmRSS", -1L),
                ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount()));
        System.out.flush();
        // Like a Lambda environment that is frozen after the batch: no orderly shutdown work measured.
        Runtime.getRuntime().halt(0);
    }

    /** Loaded at the end of init, priming and the first batch: phase boundaries in the class-load log. */
    static final class InitDone {
    }

    static final class PrimeDone {
    }

    static final class BatchDone {
    }

    private static SQSEvent event(List<String> files, String prefix) throws Exception {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(prefix + "-" + i);
            record.setReceiptHandle("receipt-" + prefix + "-" + i);
            record.setBody(Files.readString(Path.of(files.get(i))));
            record.setAttributes(Map.of("ApproximateReceiveCount", "1",
                    "SentTimestamp", String.valueOf(System.currentTimeMillis())));
            record.setEventSource("aws:sqs");
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    /**
     * The process's start from /proc: its age in clock ticks (10 ms) from /proc/self/stat and
     * /proc/uptime. ProcessHandle's startInstant adds the ticks to /proc/stat's btime, which is
     * whole seconds, so it can be off by up to a second.
     */
    private static long procStartEpochMillis() throws Exception {
        long now = System.currentTimeMillis();
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long startTicks = Long.parseLong(fields[19]);
        double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        return now - Math.round(uptime * 1000 - startTicks * 10.0);
    }

    private static Map<String, Long> procStatus() throws Exception {
        Map<String, Long> values = new java.util.HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            String[] kv = line.split(":\\s+", 2);
            if (kv.length == 2 && kv[1].endsWith(" kB")) {
                values.put(kv[0], Long.parseLong(kv[1].replace(" kB", "").trim()));
            }
        }
        return values;
    }
}
