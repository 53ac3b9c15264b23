package io.tributary.runtime.delta;

import io.tributary.dsl.DeltaSource;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.OutputFile;

/**
 * What the micro-benchmarks in {@code io.tributary.runtime.delta.bench} need from this package's
 * internals: a plain Parquet writer with the sink's own {@link RowDataWriteSupport} and codec (the
 * baseline the sink is measured against), the bucket of a key, and the Delta stream's splits and reader.
 * Test code only.
 */
public final class BenchAccess {

  private BenchAccess() {}

  /** A Parquet writer laid out exactly as the sink's data files (same write support, snappy). */
  public static ParquetWriter<RowData> plainParquetWriter(String path, RowType rowType) throws IOException {
    Configuration conf = new Configuration();
    OutputFile out = HadoopOutputFile.fromPath(new Path(path), conf);
    return new PlainBuilder(out, rowType).withConf(conf).withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build();
  }

  /**
   * The splits a Delta stream over {@code table} hands out when it starts: from {@code startingVersion}
   * on, or the latest snapshot when it is null.
   */
  public static List<DeltaFileSplit> streamSplits(String table, RowType rowType, Long startingVersion) {
    DeltaSource spec = DeltaSource.path(table);
    if (startingVersion != null) {
      spec = spec.startingVersion(startingVersion);
    }
    DeltaStreamSource source = DeltaStreamSource.triggered(spec, rowType, "bench", "bench");
    return ((DeltaStreamEnumerator) source.createEnumerator(new MockSplitEnumeratorContext<>(1))).readLog().splits();
  }

  /**
   * Reads {@code splits} with one reader of the Delta stream, as a task would; returns the rows read and
   * the snapshots the reader loaded.
   */
  public static long[] readStream(List<DeltaFileSplit> splits, RowType rowType) throws Exception {
    DeltaSnapshotReaderTest.Output output = new DeltaSnapshotReaderTest.Output();
    try (DeltaSnapshotReader reader = new DeltaSnapshotReader(new DeltaSnapshotReaderTest.Context(), rowType, true)) {
      reader.start();
      reader.addSplits(splits);
      while (reader.pollNext(output) == InputStatus.MORE_AVAILABLE) {
        // reads every split
      }
      return new long[] {output.ids.size(), reader.snapshotLoads()};
    }
  }

  /** The bucket of {@code row}'s key in a keyed table written with {@code spec}. */
  public static int bucket(DeltaWriteSpec spec, RowData row) {
    return BucketKeys.of(spec).bucket(row);
  }

  private static final class PlainBuilder extends ParquetWriter.Builder<RowData, PlainBuilder> {
    private final RowType rowType;

    PlainBuilder(OutputFile file, RowType rowType) {
      super(file);
      this.rowType = rowType;
    }

    @Override
    protected PlainBuilder self() {
      return this;
    }

    @Override
    @SuppressWarnings("deprecation")
    protected WriteSupport<RowData> getWriteSupport(Configuration conf) {
      return new RowDataWriteSupport(rowType);
    }
  }
}
