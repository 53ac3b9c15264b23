package io.tributary.runtime.delta.read;

import io.tributary.dsl.DeltaSource;
import java.util.List;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.table.types.logical.RowType;

/**
 * What the micro-benchmarks in {@code io.tributary.runtime.delta.bench} need from the reading
 * package's internals: the Delta stream's splits and reader. Test code only.
 */
public final class ReadBenchAccess {

  private ReadBenchAccess() {}

  /**
   * The splits a Delta stream over {@code table} hands out when it starts: from {@code startingVersion}
   * on, or the latest snapshot when it is null.
   */
  public static List<DeltaFileSplit> streamSplits(
      String table, RowType rowType, Long startingVersion) {
    DeltaSource spec = DeltaSource.path(table);
    if (startingVersion != null) {
      spec = spec.startingVersion(startingVersion);
    }
    DeltaStreamSource source = DeltaStreamSource.triggered(spec, rowType, "bench", "bench");
    return ((DeltaStreamEnumerator) source.createEnumerator(new MockSplitEnumeratorContext<>(1)))
        .readLog()
        .splits();
  }

  /**
   * Reads {@code splits} with one reader of the Delta stream, as a task would; returns the rows read and
   * the snapshots the reader loaded.
   */
  public static long[] readStream(List<DeltaFileSplit> splits, RowType rowType) throws Exception {
    DeltaSnapshotReaderTest.Output output = new DeltaSnapshotReaderTest.Output();
    try (DeltaSnapshotReader reader =
        new DeltaSnapshotReader(new DeltaSnapshotReaderTest.Context(), rowType, true)) {
      reader.start();
      reader.addSplits(splits);
      while (reader.pollNext(output) == InputStatus.MORE_AVAILABLE) {
        // reads every split
      }
      return new long[] {output.ids.size(), reader.snapshotLoads()};
    }
  }
}
