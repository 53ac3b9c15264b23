package io.tributary.runtime.delta;

import io.tributary.runtime.delta.write.DeltaFileWriter;
import java.util.List;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;

/** Data files written by the sink's own writer, for tests outside this package. Test code only. */
public final class DeltaTestFiles {

  private DeltaTestFiles() {}

  /** One unpartitioned data file holding {@code rows}, under {@code directory}. */
  public static List<DeltaDataFile> write(String directory, RowType type, List<Row> rows)
      throws Exception {
    try (DeltaFileWriter writer =
        new DeltaFileWriter(directory, type, List.of(), 1 << 20, new Configuration(), 0)) {
      for (Row row : rows) {
        writer.write(DeltaTestSupport.internal(type, row));
      }
      return writer.closeAll();
    }
  }
}
