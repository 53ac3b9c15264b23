package io.tributary.runtime.source.bench;

import io.tributary.dsl.AutoLoader;
import io.tributary.runtime.source.AutoLoaderEnumeratorState;
import io.tributary.runtime.source.AutoLoaderEnumeratorStateSerializer;
import io.tributary.runtime.source.AutoLoaderSchemas;
import io.tributary.runtime.source.AutoLoaderSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.types.logical.RowType;

/**
 * Measures Auto Loader discovery with many processed files: creates {@code files} small JSON files,
 * takes all of them in with a first triggered update, then times the next update's discovery (listing
 * plus the processed-files check, with {@code newFiles} new files added) and reports the serialized
 * enumerator state and its (de)serialization time. A main class, not a test: figures depend on the
 * machine. Run from the worktree root:
 *
 * <pre>{@code
 * mvn -B -q -pl flink-runtime -am test-compile
 * mvn -B -q -pl flink-runtime dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -cp "flink-runtime/target/test-classes:flink-runtime/target/classes:dsl/target/classes:quality/target/classes:cdc/target/classes:$(cat flink-runtime/target/bench.cp)" \
 *     io.tributary.runtime.source.bench.DiscoveryStateBench [files] [newFiles] [seq|uuid]
 * }</pre>
 */
public final class DiscoveryStateBench {

  private DiscoveryStateBench() {}

  public static void main(String[] args) throws Throwable {
    int files = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int newFiles = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    boolean uuidNames = args.length > 2 && args[2].equals("uuid");
    Path dir = Files.createTempDirectory("autoloader-bench");
    Path input = dir.resolve("input");
    try {
      long t0 = System.nanoTime();
      createFiles(input, 0, files, uuidNames);
      System.out.printf("created %,d files in %.1f s%n", files, seconds(t0));

      AutoLoader spec = AutoLoader.json(input.toString()).schema("id BIGINT, payload STRING");
      RowType type =
          AutoLoaderSchemas.resolve(
              spec, dir.resolve("schema").toString(), new org.apache.hadoop.conf.Configuration());
      var serializer = AutoLoaderEnumeratorStateSerializer.INSTANCE;

      // Update 1 takes every file in.
      Context first = new Context();
      long t1 = System.nanoTime();
      SplitEnumerator<FileSourceSplit, AutoLoaderEnumeratorState> enumerator =
          AutoLoaderSource.triggered(spec, type, "u1", "bench").createEnumerator(first);
      enumerator.start();
      first.registerReader(new ReaderInfo(0, "localhost"));
      first.runNextOneTimeCallable();
      for (int i = 0; i <= files; i++) {
        enumerator.handleSplitRequest(0, null);
      }
      System.out.printf("update 1: listed and assigned %,d files in %.2f s%n", files, seconds(t1));
      byte[] state = serializer.serialize(enumerator.snapshotState(1));
      AutoLoaderEnumeratorState afterFirst = serializer.deserialize(serializer.getVersion(), state);
      System.out.printf(
          "state after update 1: %,d bytes (%.2f bytes per processed file); the version 1 layout "
              + "(a plain set of paths) of the same files: %,d bytes%n",
          state.length, (double) state.length / files, version1Size(afterFirst));

      first.close();
      createFiles(input, files, newFiles, uuidNames);
      for (int round = 1; round <= 5; round++) {
        long tRestore = System.nanoTime();
        AutoLoaderEnumeratorState restored = serializer.deserialize(serializer.getVersion(), state);
        double restoreSeconds = seconds(tRestore);
        Context next = new Context();
        var second =
            AutoLoaderSource.triggered(spec, type, "u2-" + round, "bench")
                .restoreEnumerator(next, restored);
        second.start();
        long tList = System.nanoTime();
        int listed = walk(new org.apache.flink.core.fs.Path(input.toUri()));
        double listSeconds = seconds(tList);
        long t2 = System.nanoTime();
        next.runNextOneTimeCallable();
        double discoverySeconds = seconds(t2);
        next.registerReader(new ReaderInfo(0, "localhost"));
        int assigned = 0;
        for (int i = 0; i <= newFiles; i++) {
          second.handleSplitRequest(0, null);
        }
        for (var assignment : next.getSplitsAssignmentSequence()) {
          assigned +=
              assignment.assignment().values().stream().mapToInt(java.util.List::size).sum();
        }
        long t3 = System.nanoTime();
        byte[] after = serializer.serialize(second.snapshotState(2));
        double serializeSeconds = seconds(t3);
        next.close();
        System.out.printf(
            "round %d: restore %.3f s, discovery (list %,d files + check) %.3f s (a bare listing: "
                + "%.3f s), %d new files assigned, state %,d bytes serialized in %.3f s%n",
            round,
            restoreSeconds,
            listed,
            discoverySeconds,
            listSeconds,
            assigned,
            after.length,
            serializeSeconds);
      }
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    System.exit(0);
  }

  /** The size the version 1 serializer wrote for the same state: every path in full. */
  private static int version1Size(AutoLoaderEnumeratorState state) throws IOException {
    org.apache.flink.core.memory.DataOutputSerializer out =
        new org.apache.flink.core.memory.DataOutputSerializer(1 << 20);
    out.writeUTF(state.listedUpdateId());
    out.writeInt(state.processedFiles().size());
    for (String path : state.processedFiles()) {
      out.writeUTF(path);
    }
    out.writeInt(0);
    return out.length();
  }

  /** Lists the tree with Flink's file system, as discovery does, and counts the files. */
  private static int walk(org.apache.flink.core.fs.Path dir) throws IOException {
    int count = 0;
    for (org.apache.flink.core.fs.FileStatus status : dir.getFileSystem().listStatus(dir)) {
      count += status.isDir() ? walk(status.getPath()) : 1;
    }
    return count;
  }

  private static void createFiles(Path input, int from, int count, boolean uuidNames)
      throws IOException {
    long base = 1_700_000_000_000L;
    for (int i = from; i < from + count; i++) {
      Path dir = input.resolve(String.format("date=%03d", i / 1000));
      Files.createDirectories(dir);
      Path file =
          dir.resolve(
              uuidNames
                  ? "part-" + java.util.UUID.randomUUID() + ".json"
                  : String.format("part-%07d.json", i));
      Files.write(
          file, ("{\"id\":" + i + ",\"payload\":\"x\"}\n").getBytes(StandardCharsets.UTF_8));
      file.toFile().setLastModified(base + i * 10L);
    }
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  /** Flink's mock enumerator context with a metric group that accepts gauges. */
  private static final class Context extends MockSplitEnumeratorContext<FileSourceSplit> {
    private final SplitEnumeratorMetricGroup group = new Group();

    Context() {
      super(1);
    }

    @Override
    public SplitEnumeratorMetricGroup metricGroup() {
      return group;
    }

    private static final class Group extends UnregisteredMetricsGroup
        implements SplitEnumeratorMetricGroup {
      @Override
      public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        return gauge;
      }

      @Override
      public <G extends Gauge<Long>> G setUnassignedSplitsGauge(G gauge) {
        return gauge;
      }
    }
  }
}
