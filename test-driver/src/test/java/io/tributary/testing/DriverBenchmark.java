package io.tributary.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Times the driver as a user's first test and later updates meet it (docs/benchmarks.md, "Test driver"):
 * in a fresh JVM, a driver of {@link PipelineTestDriverITCase.Customers} (an Auto Loader table with
 * expectations and a quarantine, an SCD2 applyChanges target), its first update, then {@code args[0]}
 * (default 5) further updates, each after one new file. Prints one line per update with its breakdown.
 */
public final class DriverBenchmark {

  private DriverBenchmark() {}

  public static void main(String[] args) {
    int further = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
    long start = System.nanoTime();
    long cpuStart = cpu();
    List<String> lines = new ArrayList<>();
    try (PipelineTestDriver driver =
        PipelineTestDriver.builder(new PipelineTestDriverITCase.Customers()).build()) {
      AutoLoaderInput changes = driver.autoLoaderFolder("source.changes");
      for (int update = 0; update <= further; update++) {
        changes.addJson(
            change(update % 3 + 1L, "name " + update, "city " + update, update + 1L),
            change(null, "no id", "nowhere", update + 1L));
        long before = System.nanoTime();
        long cpuBefore = cpu();
        driver.runUpdate();
        long wall = (System.nanoTime() - before) / 1_000_000;
        if (update == 0) {
          lines.add(
              String.format(
                  "first test: %d ms from driver build, CPU %d ms (JVM start to end: %d ms); update 1 %s",
                  (System.nanoTime() - start) / 1_000_000,
                  (cpu() - cpuStart) / 1_000_000,
                  System.currentTimeMillis() - jvmStart,
                  driver.lastTiming()));
        } else {
          lines.add(
              String.format(
                  "update %d: %d ms, CPU %d ms; %s",
                  update + 1, wall, (cpu() - cpuBefore) / 1_000_000, driver.lastTiming()));
        }
      }
      if (driver.scd2History("customers_history", "customer_id").isEmpty()) {
        throw new IllegalStateException("the benchmark's pipeline wrote no history");
      }
    }
    lines.forEach(System.out::println);
    System.exit(0);
  }

  /** CPU time of this process so far (all threads, ns): on a shared machine, what the wall time hides. */
  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static Map<String, Object> change(Long id, String name, String city, long seq) {
    Map<String, Object> row = new HashMap<>();
    row.put("customer_id", id);
    row.put("name", name);
    row.put("city", city);
    row.put("seq", seq);
    return row;
  }
}
