package dev.directmx.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The table the interop suite prints: scenario, expected, actual, pass or fail, time. Written to
 * {@code target/interop-report.txt} (scripts/test.sh prints it) as the suite goes.
 */
final class InteropReport {

    static final Path FILE = Path.of("target", "interop-report.txt");

    record Row(String scenario, String expected, String actual, boolean pass, Duration took) {
    }

    private static final List<Row> ROWS = new ArrayList<>();

    private InteropReport() {
    }

    static synchronized void add(Row row) {
        ROWS.add(row);
        write();
    }

    static synchronized String table() {
        int s = "scenario".length();
        int e = "expected".length();
        for (Row r : ROWS) {
            s = Math.max(s, r.scenario().length());
            e = Math.max(e, r.expected().length());
        }
        String format = "%-" + s + "s  %-" + e + "s  %-4s  %6s  %s%n";
        StringBuilder out = new StringBuilder(String.format(format, "scenario", "expected", "pass", "time", "actual"));
        int passed = 0;
        for (Row r : ROWS) {
            out.append(String.format(format, r.scenario(), r.expected(), r.pass() ? "ok" : "FAIL",
                    String.format("%.1fs", r.took().toMillis() / 1000.0), r.actual()));
            passed += r.pass() ? 1 : 0;
        }
        out.append("interop: ").append(passed).append(" of ").append(ROWS.size()).append(" scenarios as expected\n");
        return out.toString();
    }

    private static void write() {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, table());
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + FILE, e);
        }
    }
}
