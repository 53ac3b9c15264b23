package io.tributary.runtime.delta.bench;

import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.delta.read.DeltaFileSplit;
import io.tributary.runtime.delta.read.ReadBenchAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;

/**
 * Micro-benchmark of the Delta stream's reader, a plain main class (not a test): one reader reads the
 * splits a stream hands out for a table of {@code versions} appends of one small file each, (1) from
 * version 0 on (one split per version) and (2) from the latest snapshot (one version, every file), the
 * latter first.
 * Prints the wall time of each (medians of 5, after a warm-up round) and the snapshots the reader loaded.
 * A table of that many versions in {@code workdir} is reused.
 *
 * <pre>{@code
 * java -cp <test classpath> io.tributary.runtime.delta.bench.StreamReadBench [versions] [workdir]
 * }</pre>
 */
public final class StreamReadBench {

  static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .getLogicalType();

  private static final int RUNS = 5;
  private static final int ROWS_PER_FILE = 10;

  private StreamReadBench() {}

  public static void main(String[] args) throws Exception {
    int versions = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    Path work =
        args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("tributary-stream-bench");
    String table = work.resolve("upstream-" + versions).toString();
    UpstreamDeltaTable upstream = new UpstreamDeltaTable(table, TYPE);
    boolean exists = Files.isDirectory(Path.of(table, "_delta_log"));
    for (int v = 0; v < versions && !exists; v++) {
      Row[] rows = new Row[ROWS_PER_FILE];
      for (int i = 0; i < ROWS_PER_FILE; i++) {
        long id = (long) v * ROWS_PER_FILE + i;
        rows[i] = Row.of(id, "name-" + id);
      }
      upstream.append(rows);
    }
    System.out.printf(
        "table %s%s: %d versions of one %d-row file each%n",
        table, exists ? " (reused)" : "", versions, ROWS_PER_FILE);
    measure(
        "latest snapshot (one version, every file)",
        ReadBenchAccess.streamSplits(table, TYPE, null));
    measure(
        "from version 0 (one split per version)", ReadBenchAccess.streamSplits(table, TYPE, 0L));
  }

  private static void measure(String what, List<DeltaFileSplit> splits) throws Exception {
    List<Double> seconds = new ArrayList<>();
    long[] read = null;
    for (int i = -1; i < RUNS; i++) {
      long start = System.nanoTime();
      read = ReadBenchAccess.readStream(splits, TYPE);
      double took = (System.nanoTime() - start) / 1e9;
      if (i >= 0) {
        seconds.add(took);
      }
    }
    seconds.sort(null);
    System.out.printf(
        "%s: %d splits, %d rows, %d snapshot loads, %.3f s (median of %d; min %.3f, max %.3f)%n",
        what,
        splits.size(),
        read[0],
        read[1],
        seconds.get(RUNS / 2),
        RUNS,
        seconds.get(0),
        seconds.get(RUNS - 1));
  }
}
