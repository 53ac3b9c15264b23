package io.tributary.runtime.delta.bench;

import io.tributary.runtime.delta.write.WriteBenchAccess;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * Micro-benchmark of the Parquet write support of Delta data files, a plain main class (not a test):
 * rows/s of one thread writing {@code rows} rows of the bronze events' shape (GenData's events as Auto
 * Loader reads them with the benchmark's declared schema, plus {@code _rescued_data}) to one Parquet
 * file with the sink's own write support and codec. 100,000 distinct rows are generated once and
 * written in turn; medians of 5 runs after two warm-up runs. {@code -Dbench.keep=FILE} keeps the first file
 * written, to compare the output of two versions of the write support (Parquet writes a column's set of
 * encodings in an order that may differ between runs; everything else is the same bytes). Besides wall time it reports rows per second of
 * the writing thread's CPU time, which other processes on a busy machine disturb far less.
 *
 * <pre>{@code
 * java [-Dbench.keep=FILE] -cp <test classpath> io.tributary.runtime.delta.bench.WriteSupportBench [rows] [workdir]
 * }</pre>
 */
public final class WriteSupportBench {

  static final RowType BRONZE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("event_id", DataTypes.STRING()),
                  DataTypes.FIELD("user_id", DataTypes.STRING()),
                  DataTypes.FIELD("event_type", DataTypes.STRING()),
                  DataTypes.FIELD("timestamp", DataTypes.STRING()),
                  DataTypes.FIELD("properties", DataTypes.STRING()),
                  DataTypes.FIELD("duration", DataTypes.DOUBLE()),
                  DataTypes.FIELD("amount", DataTypes.DECIMAL(10, 2)),
                  DataTypes.FIELD("_rescued_data", DataTypes.STRING()))
              .getLogicalType();

  private static final String[] TYPES = {
    "page_view", "click", "search", "add_to_cart", "remove_from_cart", "purchase", "login", "logout"
  };
  private static final int DISTINCT = 100_000;
  private static final int RUNS = 5;

  private WriteSupportBench() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    Path work =
        args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("tributary-write-bench");
    Files.createDirectories(work);
    List<RowData> events = events();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<Double> rates = new ArrayList<>();
    List<Double> cpuRates = new ArrayList<>();
    for (int i = -2; i < RUNS; i++) { // two warm-up runs
      Path file = work.resolve("bronze-" + i + ".parquet");
      long start = System.nanoTime();
      long cpuStart = threads.getCurrentThreadCpuTime();
      try (ParquetWriter<RowData> writer =
          WriteBenchAccess.plainParquetWriter(file.toString(), BRONZE)) {
        for (long n = 0; n < rows; n++) {
          writer.write(events.get((int) (n % DISTINCT)));
        }
      }
      double rate = rows / ((System.nanoTime() - start) / 1e9);
      double cpuRate = rows / ((threads.getCurrentThreadCpuTime() - cpuStart) / 1e9);
      System.out.printf(
          "  run %d: %.0f rows/s, %.0f rows per CPU second, %d bytes%n",
          i + 1, rate, cpuRate, Files.size(file));
      if (i == -2 && System.getProperty("bench.keep") != null) {
        Files.copy(
            file,
            Path.of(System.getProperty("bench.keep")),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      Files.delete(file);
      if (i >= 0) {
        rates.add(rate);
        cpuRates.add(cpuRate);
      }
    }
    rates.sort(null);
    cpuRates.sort(null);
    System.out.printf(
        "WRITE %d bronze rows with the sink's write support: %.0f rows/s (median of %d; min %.0f,"
            + " max %.0f); %.0f rows per CPU second (min %.0f, max %.0f)%n",
        rows,
        rates.get(RUNS / 2),
        RUNS,
        rates.get(0),
        rates.get(RUNS - 1),
        cpuRates.get(RUNS / 2),
        cpuRates.get(0),
        cpuRates.get(RUNS - 1));
  }

  /** Rows shaped as GenData's events: ~1% null user_id, ~8% null duration, two-decimal amounts. */
  private static List<RowData> events() {
    SplittableRandom random = new SplittableRandom(42);
    List<RowData> events = new ArrayList<>(DISTINCT);
    for (int i = 0; i < DISTINCT; i++) {
      String user =
          random.nextInt(100) == 0 ? null : String.format("c%07d", random.nextInt(100_000));
      String timestamp =
          String.format(
              "2024-%02d-%02dT%02d:%02d:%02d.%03dZ",
              1 + random.nextInt(12),
              1 + random.nextInt(28),
              random.nextInt(24),
              random.nextInt(60),
              random.nextInt(60),
              random.nextInt(1000));
      String properties =
          "{\"page\":\"/p/"
              + random.nextInt(500)
              + "\",\"device\":\""
              + (random.nextBoolean() ? "ios" : "web")
              + "\"}";
      Double duration = random.nextInt(100) < 8 ? null : random.nextInt(1_000_000) / 1000.0;
      BigDecimal amount = BigDecimal.valueOf(random.nextInt(100_000) - 2_000, 2);
      events.add(
          GenericRowData.of(
              StringData.fromString(String.format("evt-%010d", i)),
              user == null ? null : StringData.fromString(user),
              StringData.fromString(TYPES[random.nextInt(8)]),
              StringData.fromString(timestamp),
              StringData.fromString(properties),
              duration,
              DecimalData.fromBigDecimal(amount, 10, 2),
              null));
    }
    return events;
  }
}
