package io.tributary.runtime.delta.write;

import java.io.IOException;
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
 * What the micro-benchmarks in {@code io.tributary.runtime.delta.bench} need from the writing
 * package's internals: a plain Parquet writer with the sink's own {@link RowDataWriteSupport} and codec
 * (the baseline the sink is measured against) and the bucket of a key. Test code only.
 */
public final class WriteBenchAccess {

  private WriteBenchAccess() {}

  /** A Parquet writer laid out exactly as the sink's data files (same write support, snappy). */
  public static ParquetWriter<RowData> plainParquetWriter(String path, RowType rowType)
      throws IOException {
    Configuration conf = new Configuration();
    OutputFile out = HadoopOutputFile.fromPath(new Path(path), conf);
    return new PlainBuilder(out, rowType)
        .withConf(conf)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build();
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
