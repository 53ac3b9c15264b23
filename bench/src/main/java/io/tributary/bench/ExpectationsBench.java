package io.tributary.bench;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.engine.EmbeddedCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The cost of expectations (issue 5): rows/s of one triggered update of a streaming table fed by
 * Auto Loader, with 0, 1 and 5 expectations, interleaved runs, medians. A main class, not a test:
 * {@code java -cp "bench/target/tributary-bench.jar:bench/target/lib/*" io.tributary.bench.ExpectationsBench
 * --rows 500000 --runs 3 --work /tmp/expectations-bench}.
 */
public final class ExpectationsBench {

  private static final List<String> CONSTRAINTS =
      List.of(
          "user_id IS NOT NULL",
          "amount > 0",
          "email LIKE '%@%'",
          "event_type IN ('click', 'view', 'buy')",
          "CASE WHEN event_type = 'buy' THEN amount > 0 ELSE TRUE END");

  private ExpectationsBench() {}

  /** One streaming table with the first {@code count} constraints as expectations (expect: rows kept). */
  record WithExpectations(int count) implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      var table =
          p.streamingTable("events")
              .from(
                  AutoLoader.json(p.conf("source", "/none"))
                      .schema(
                          "event_id STRING, user_id STRING, email STRING, event_type STRING, amount DOUBLE"));
      for (int i = 0; i < count; i++) {
        table.expect("rule_" + i, CONSTRAINTS.get(i));
      }
    }
  }

  public static void main(String[] args) throws Exception {
    int rows = intArg(args, "--rows", 500_000);
    int runs = intArg(args, "--runs", 3);
    Path work = Path.of(stringArg(args, "--work", "/tmp/tributary-expectations-bench"));
    Path input = work.resolve("input");
    write(input, rows);
    List<Integer> counts = List.of(0, 1, 5);
    List<List<Double>> seconds = new ArrayList<>();
    counts.forEach(c -> seconds.add(new ArrayList<>()));
    try (EmbeddedCluster cluster =
        EmbeddedCluster.start(2, new org.apache.flink.configuration.Configuration())) {
      run(cluster, input, work.resolve("warmup"), 0); // JIT and planner warm-up, not measured
      for (int run = 0; run < runs; run++) {
        for (int i = 0; i < counts.size(); i++) {
          seconds
              .get(i)
              .add(
                  run(
                      cluster,
                      input,
                      work.resolve("run-" + run + "-" + counts.get(i)),
                      counts.get(i)));
        }
      }
    }
    double base = median(seconds.get(0));
    System.out.printf("rows=%d runs=%d (interleaved), parallelism 2%n", rows, runs);
    for (int i = 0; i < counts.size(); i++) {
      double median = median(seconds.get(i));
      System.out.printf(
          "%d expectation(s): median %.2f s, %.0f rows/s, time ratio to none %.2f; runs %s%n",
          counts.get(i), median, rows / median, median / base, seconds.get(i));
    }
  }

  private static double run(EmbeddedCluster cluster, Path input, Path storage, int expectations) {
    long start = System.nanoTime();
    UpdateResult result =
        Tributary.pipeline(new WithExpectations(expectations))
            .name("expectations")
            .storage(storage.toString())
            .configuration(Map.of("source", input.toString()))
            .parallelism(2)
            .triggerInterval(Duration.ofSeconds(10))
            .cluster(cluster)
            .run();
    if (result.state() != UpdateState.COMPLETED) {
      throw new IllegalStateException("update failed: " + result.error());
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static void write(Path dir, int rows) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir);
    SplittableRandom random = new SplittableRandom(42);
    String[] types = {"click", "view", "buy", "search"};
    for (int file = 0; file < 4; file++) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < rows / 4; i++) {
        String user = random.nextInt(100) == 0 ? "null" : "\"u" + random.nextInt(10_000) + "\"";
        lines
            .append("{\"event_id\":\"e")
            .append(file)
            .append('-')
            .append(i)
            .append("\",\"user_id\":")
            .append(user)
            .append(",\"email\":\"u")
            .append(i)
            .append(random.nextInt(50) == 0 ? "" : "@example.com")
            .append("\",\"event_type\":\"")
            .append(types[random.nextInt(types.length)])
            .append("\",\"amount\":")
            .append(String.format("%.2f", random.nextDouble() * 100 - 2))
            .append("}\n");
      }
      try {
        Files.writeString(dir.resolve("part-" + file + ".json"), lines);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static int intArg(String[] args, String name, int defaultValue) {
    return Integer.parseInt(stringArg(args, name, String.valueOf(defaultValue)));
  }

  private static String stringArg(String[] args, String name, String defaultValue) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return defaultValue;
  }
}
