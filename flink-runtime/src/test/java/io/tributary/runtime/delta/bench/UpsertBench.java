package io.tributary.runtime.delta.bench;

import io.tributary.runtime.delta.write.DeltaSink;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import io.tributary.runtime.delta.write.WriteBenchAccess;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * Micro-benchmark of the Delta sink, a plain main class (not a test): (1) rows/s of the append sink
 * against the same rows written as plain Parquet files with the sink's own write support in the same
 * run and cluster (the sink's overhead), with a no-write baseline; (2) bytes written by upserts of
 * a share of the keys of a keyed table, relative to the table's size, with deletion vectors
 * (merge-on-read: new data files and deletion vector files) and copy-on-write (the rewritten
 * buckets). Medians of 3 runs.
 *
 * <pre>{@code
 * java -Xmx6g -cp <test classpath> io.tributary.runtime.delta.bench.UpsertBench [rows] [workdir] [all|append|upsert|upsert-dv]
 * }</pre>
 */
public final class UpsertBench {

  static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("customer", DataTypes.STRING()),
                  DataTypes.FIELD("amount", DataTypes.DECIMAL(12, 2)),
                  DataTypes.FIELD("at", DataTypes.TIMESTAMP_LTZ(6)),
                  DataTypes.FIELD("status", DataTypes.STRING()))
              .notNull()
              .getLogicalType();

  private static final int RUNS = 3;

  private final MiniCluster cluster;
  private final Path work;
  private final long rows;
  private int tables;

  private UpsertBench(MiniCluster cluster, Path work, long rows) {
    this.cluster = cluster;
    this.work = work;
    this.rows = rows;
  }

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("tributary-bench");
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(2)
                .withRandomPorts()
                .build());
    cluster.start();
    try {
      UpsertBench bench = new UpsertBench(cluster, work, rows);
      System.out.printf(
          "rows=%d parallelism=2 work=%s cpus=%d maxHeap=%dMB%n",
          rows,
          work,
          Runtime.getRuntime().availableProcessors(),
          Runtime.getRuntime().maxMemory() >> 20);
      String part = args.length > 2 ? args[2] : "all";
      if (!part.equals("upsert")) {
        bench.appendThroughput();
      }
      if (part.equals("all") || part.equals("upsert") || part.equals("upsert-dv")) {
        bench.upsertRewrites(16, true);
      }
      if (part.equals("all") || part.equals("upsert")) {
        bench.upsertRewrites(16, false);
        bench.upsertRewrites(1024, false);
      }
    } finally {
      cluster.close();
    }
  }

  /** Row {@code id} of the generated table; {@code version} changes the non-key columns. */
  static RowData row(long id, int version, RowKind kind) {
    return GenericRowData.ofKind(
        kind,
        id,
        StringData.fromString("customer-" + (id % 50_000)),
        DecimalData.fromBigDecimal(BigDecimal.valueOf((id * 7919 + version) % 1_000_000, 2), 12, 2),
        TimestampData.fromEpochMillis(1_700_000_000_000L + id * 1000 + version),
        StringData.fromString(version == 0 ? "NEW" : "UPDATED-" + version));
  }

  static final class ToRow implements MapFunction<Long, RowData> {
    private final int version;
    private final RowKind kind;

    ToRow(int version, RowKind kind) {
      this.version = version;
      this.kind = kind;
    }

    @Override
    public RowData map(Long id) {
      return row(id, version, kind);
    }
  }

  private StreamExecutionEnvironment env(boolean checkpoints) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    if (checkpoints) {
      env.enableCheckpointing(Duration.ofSeconds(1).toMillis());
    }
    return env;
  }

  private DataStream<RowData> generated(StreamExecutionEnvironment env) {
    return generated(env, rows);
  }

  private static DataStream<RowData> generated(StreamExecutionEnvironment env, long rows) {
    return env.fromSequence(0, rows - 1)
        .map(new ToRow(0, RowKind.INSERT))
        .returns(InternalTypeInfo.of(TYPE));
  }

  private double run(StreamExecutionEnvironment env) throws Exception {
    long start = System.nanoTime();
    cluster.executeJobBlocking(env.getStreamGraph().getJobGraph());
    return (System.nanoTime() - start) / 1e9;
  }

  private Path newTable(String name) {
    return work.resolve(name + "-" + (tables++));
  }

  private void appendThroughput() throws Exception {
    long appendRows = 5 * rows; // long enough that job start and the last commit are a small part
    List<Double> discard = new ArrayList<>();
    List<Double> plain = new ArrayList<>();
    List<Double> delta = new ArrayList<>();
    for (int i = -1; i < RUNS; i++) { // round -1 warms up the JIT for every variant
      // the order rotates, so no variant always runs on the warmest JVM
      double[] rates = new double[3];
      for (int k = 0; k < 3; k++) {
        int variant = Math.floorMod(i + k, 3);
        StreamExecutionEnvironment env = env(true);
        DataStream<RowData> generated = generated(env, appendRows);
        Path target = newTable(variant == 1 ? "plain" : "append");
        if (variant == 0) {
          generated.sinkTo(new DiscardingSink<>());
        } else if (variant == 1) {
          generated
              .transform("plain Parquet", Types.VOID, new PlainParquetWriter(target.toString()))
              .sinkTo(new DiscardingSink<>());
        } else {
          DeltaSink.write(
              generated, DeltaWriteSpec.append(target.toString(), TYPE, "bench/append"), "append");
        }
        rates[variant] = appendRows / run(env);
        if (variant > 0 && i >= 0) {
          System.out.printf(
              "  run %d %s: %.0f rows/s, %s%n",
              i + 1,
              variant == 1 ? "plain Parquet" : "Delta sink",
              rates[variant],
              mb(size(target)));
        }
      }
      if (i >= 0) {
        discard.add(rates[0]);
        plain.add(rates[1]);
        delta.add(rates[2]);
      }
    }
    double plainMedian = median(plain);
    double deltaMedian = median(delta);
    System.out.printf(
        "APPEND %d rows, checkpoint every 1 s: no write %.0f rows/s | plain Parquet %.0f rows/s"
            + " | Delta append sink %.0f rows/s | sink overhead vs plain Parquet %.1f%% (medians of %d)%n",
        appendRows,
        median(discard),
        plainMedian,
        deltaMedian,
        100 * (1 - deltaMedian / plainMedian),
        RUNS);
  }

  private void upsertRewrites(int buckets, boolean deletionVectors) throws Exception {
    Path table = newTable("keyed-" + buckets + (deletionVectors ? "-dv" : "-cow"));
    String mode = deletionVectors ? "deletion vectors" : "copy-on-write";
    DeltaWriteSpec spec =
        DeltaWriteSpec.upsert(table.toString(), TYPE, "bench/upsert", List.of("id"))
            .withProperties(
                Map.of(
                    DeltaWriteSpec.BUCKETS_PROPERTY,
                    Integer.toString(buckets),
                    DeltaWriteSpec.DELETION_VECTORS_PROPERTY,
                    Boolean.toString(deletionVectors)));
    StreamExecutionEnvironment load = env(false);
    DeltaSink.upsert(generated(load), spec, "keyed");
    double loadSeconds = run(load);
    Set<String> live = new HashSet<>(lastCommit(table).adds());
    System.out.printf(
        "UPSERT table (%s): %d rows, %d buckets, %d files, %s, loaded in %.1f s%n",
        mode, rows, buckets, live.size(), mb(sizes(table, live)), loadSeconds);
    Random random = new Random(42);
    int version = 0;
    for (double share : new double[] {0.01, 0.0001, 0.00001}) {
      int keys = (int) Math.max(1, rows * share);
      List<Double> rewritten = new ArrayList<>();
      List<Double> seconds = new ArrayList<>();
      for (int i = 0; i < RUNS; i++) {
        version++;
        List<Long> changed =
            new ArrayList<>(random.longs(0, rows).distinct().limit(keys).boxed().toList());
        long tableBytes = sizes(table, live);
        Set<String> dvFilesBefore = deletionVectorFiles(table);
        StreamExecutionEnvironment update = env(false);
        DeltaSink.upsert(
            update
                .fromData(changed)
                .map(new ToRow(version, RowKind.UPDATE_AFTER))
                .returns(InternalTypeInfo.of(TYPE)),
            spec,
            "keyed");
        seconds.add(run(update));
        Commit commit = lastCommit(table);
        // bytes written: data files new to the table, and the epoch's deletion vector files
        List<String> newFiles = commit.adds().stream().filter(p -> !live.contains(p)).toList();
        Set<String> newDvFiles = deletionVectorFiles(table);
        newDvFiles.removeAll(dvFilesBefore);
        long dataBytes = sizes(table, newFiles);
        long dvBytes = sizes(table, newDvFiles);
        long withDv = commit.adds().stream().filter(p -> live.contains(p)).count();
        live.removeAll(commit.removes());
        live.addAll(commit.adds());
        rewritten.add(100.0 * (dataBytes + dvBytes) / tableBytes);
        System.out.printf(
            "  upsert of %d keys (%.3f%%), run %d: %d files written (%s) + %d deletion vector"
                + " files (%s), %d files given a new deletion vector, %d files live: %.2f%% of %s, %.1f s,"
                + " %.0f keys/s%n",
            keys,
            share * 100,
            i + 1,
            newFiles.size(),
            mb(dataBytes),
            newDvFiles.size(),
            kb(dvBytes),
            withDv,
            live.size(),
            rewritten.get(i),
            mb(tableBytes),
            seconds.get(i),
            keys / seconds.get(i));
      }
      System.out.printf(
          "UPSERT %s, %d buckets, %d keys changed (%.3f%% of %d): bytes written %.2f%% of the"
              + " table (median), job %.1f s (median, incl. job start)%n",
          mode, buckets, keys, share * 100, rows, median(rewritten), median(seconds));
    }
  }

  private static Set<String> deletionVectorFiles(Path table) throws IOException {
    try (Stream<Path> files = Files.list(table)) {
      return new HashSet<>(
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("deletion_vector_"))
              .toList());
    }
  }

  private static String kb(long bytes) {
    return String.format("%.1f KB", bytes / 1024.0);
  }

  private record Commit(List<String> adds, List<String> removes) {}

  private static Commit lastCommit(Path table) throws IOException {
    Path log;
    try (Stream<Path> files = Files.list(table.resolve("_delta_log"))) {
      log =
          files
              .filter(p -> p.toString().endsWith(".json"))
              .sorted()
              .reduce((a, b) -> b)
              .orElseThrow();
    }
    String text = Files.readString(log);
    return new Commit(
        all(Pattern.compile("\"add\":\\{\"path\":\"([^\"]+)\""), text),
        all(Pattern.compile("\"remove\":\\{\"path\":\"([^\"]+)\""), text));
  }

  private static List<String> all(Pattern pattern, String text) {
    List<String> found = new ArrayList<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  /** Bytes of the table's data files at these (table-relative) paths; removed files stay on disk. */
  private static long sizes(Path table, java.util.Collection<String> paths) throws IOException {
    long total = 0;
    for (String path : paths) {
      total += Files.size(table.resolve(path));
    }
    return total;
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(p -> p.toString().endsWith(".parquet"))
          .mapToLong(p -> p.toFile().length())
          .sum();
    }
  }

  private static String mb(long bytes) {
    return String.format("%.1f MB", bytes / 1048576.0);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }

  /**
   * The baseline: the same rows into plain Parquet files, one per writer and checkpoint, from a plain
   * one-input operator as the Delta sink's writer is (so the comparison is Delta's cost, not Flink's
   * operator path).
   */
  static final class PlainParquetWriter extends AbstractStreamOperator<Void>
      implements OneInputStreamOperator<RowData, Void>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private final String dir;
    private transient ParquetWriter<RowData> writer;
    private transient int files;

    PlainParquetWriter(String dir) {
      this.dir = dir;
    }

    @Override
    public void processElement(StreamRecord<RowData> element) throws IOException {
      if (writer == null) {
        writer =
            WriteBenchAccess.plainParquetWriter(
                dir
                    + "/part-"
                    + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()
                    + "-"
                    + (files++)
                    + ".parquet",
                TYPE);
      }
      writer.write(element.getValue());
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      super.prepareSnapshotPreBarrier(checkpointId);
      roll();
    }

    @Override
    public void endInput() throws IOException {
      roll();
    }

    private void roll() throws IOException {
      if (writer != null) {
        writer.close();
        writer = null;
      }
    }
  }
}
