package dev.directmx.e2e;

import java.time.Duration;

/** Adds a row to the interop report and then runs the scenario's assertions. */
final class InteropSuiteITRow {

    private InteropSuiteITRow() {
    }

    static void add(String scenario, String expected, long startNanos, String actual, Runnable assertions) {
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        try {
            assertions.run();
        } catch (AssertionError e) {
            InteropReport.add(new InteropReport.Row(scenario, expected, actual, false, took));
            throw e;
        }
        InteropReport.add(new InteropReport.Row(scenario, expected, actual, true, took));
    }
}
