package io.tributary.bench;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.maintenance.MaintenanceOptions;
import io.tributary.runtime.maintenance.MaintenanceReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.types.Row;

/**
 * Makes a keyed table whose rows are deleted by deletion vectors, for another Delta reader to read
 * back ({@code bench/spark-dv-readback/spark-dv-readback.sh} reads it with Spark and delta-spark): 64
 * customers, then an update that upserts three and deletes two of them (merge-on-read: their old rows
 * are marked in deletion vectors), then one that upserts 16 more and deletes one (files that have a
 * vector get a wider one), and writes the rows Kernel reads to {@code OUT/kernel.txt}, one line per row,
 * sorted. With {@code --vacuum} it vacuums the existing table with a retention of zero instead (no
 * update is running), then writes the rows again.
 *
 * <pre>{@code
 * java -cp bench/target/tributary-bench.jar:bench/target/lib/* io.tributary.bench.DeletionVectorTable --out OUT [--vacuum]
 * }</pre>
 */
public final class DeletionVectorTable {

  /** An applyChanges (SCD type 1) target fed by JSON change files. */
  public static final class Customers implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("changes")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("customer_id STRING, name STRING, operation STRING, seq BIGINT")
                  .option("rescuedDataColumn", "false"));
      p.createStreamingTable("customers");
      p.applyChanges("customers")
          .from("changes")
          .keys("customer_id")
          .sequenceBy("seq")
          .applyAsDeletes("operation = 'DELETE'")
          .exceptColumnList("operation");
    }
  }

  private DeletionVectorTable() {}

  public static void main(String[] args) throws Exception {
    Path out = null;
    boolean vacuum = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out" -> out = Path.of(args[++i]);
        case "--vacuum" -> vacuum = true;
        default ->
            throw new IllegalArgumentException(
                "unknown argument "
                    + args[i]
                    + "; usage: DeletionVectorTable --out DIR [--vacuum]");
      }
    }
    if (out == null) {
      throw new IllegalArgumentException("usage: DeletionVectorTable --out DIR [--vacuum]");
    }
    Path storage = out.resolve("storage");
    String table = storage.resolve("tables/customers").toString();
    if (vacuum) {
      MaintenanceReport report =
          builder(out)
              .maintain(
                  MaintenanceOptions.all()
                      .withSteps(false, true, false)
                      .withForcedRetention(Duration.ZERO));
      System.out.print(report.describe());
    } else {
      Path input = Files.createDirectories(out.resolve("changes"));
      StringBuilder first = new StringBuilder();
      for (int i = 1; i <= 64; i++) {
        first.append(
            String.format(
                "{\"customer_id\":\"c%02d\",\"name\":\"N%d\",\"operation\":\"UPSERT\",\"seq\":%d}%n",
                i, i, i));
      }
      Files.writeString(input.resolve("part-1.json"), first);
      run(out);
      Files.writeString(
          input.resolve("part-2.json"),
          """
          {"customer_id":"c01","name":"Ann B","operation":"UPSERT","seq":100}
          {"customer_id":"c02","name":null,"operation":"DELETE","seq":101}
          {"customer_id":"c03","name":null,"operation":"UPSERT","seq":102}
          {"customer_id":"c04","name":null,"operation":"DELETE","seq":103}
          {"customer_id":"c65","name":"Eve","operation":"UPSERT","seq":104}
          """);
      run(out);
      // a third update: files that already have a vector get a wider one (the old one is
      // superseded)
      StringBuilder third = new StringBuilder();
      for (int i = 5; i <= 20; i++) {
        third.append(
            String.format(
                "{\"customer_id\":\"c%02d\",\"name\":\"M%d\",\"operation\":\"UPSERT\","
                    + "\"seq\":%d}%n",
                i, i, 200 + i));
      }
      third.append(
          "{\"customer_id\":\"c21\",\"name\":null,\"operation\":\"DELETE\",\"seq\":300}\n");
      Files.writeString(input.resolve("part-3.json"), third);
      run(out);
    }
    List<String> rows = new ArrayList<>();
    for (Row row : DeltaTableReader.readAll(table)) {
      rows.add(line(row.getField(0), row.getField(1), row.getField(2)));
    }
    rows.sort(null);
    Files.write(out.resolve("kernel.txt"), rows);
    System.out.printf(
        "table %s: version %d, %d rows, %d deletion vector file(s), %d commit(s) with vectors%n",
        table,
        DeltaTableReader.version(table),
        rows.size(),
        vectorFiles(Path.of(table)),
        commitsWithVectors(Path.of(table)));
  }

  /** A row as both readers print it: fields separated by {@code |}, null as {@code NULL}. */
  static String line(Object... fields) {
    List<String> out = new ArrayList<>();
    for (Object field : fields) {
      out.add(field == null ? "NULL" : field.toString());
    }
    return String.join("|", out);
  }

  private static Tributary.Builder builder(Path out) {
    return Tributary.pipeline(new Customers())
        .name("dv-readback")
        .storage(out.resolve("storage").toString())
        .configuration(Map.of("source", out.resolve("changes").toString()))
        .parallelism(1)
        .triggerInterval(Duration.ofSeconds(1));
  }

  private static void run(Path out) {
    UpdateResult result = builder(out).run();
    if (result.state() != UpdateState.COMPLETED) {
      throw new IllegalStateException(
          "update failed: " + result.error().orElse(result.state().toString()));
    }
  }

  private static long vectorFiles(Path table) throws IOException {
    try (Stream<Path> files = Files.list(table)) {
      return files.filter(f -> f.getFileName().toString().startsWith("deletion_vector_")).count();
    }
  }

  private static long commitsWithVectors(Path table) throws IOException {
    try (Stream<Path> files = Files.list(table.resolve("_delta_log"))) {
      long n = 0;
      for (Path commit : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        n += Files.readString(commit).contains("\"deletionVector\":{") ? 1 : 0;
      }
      return n;
    }
  }
}
