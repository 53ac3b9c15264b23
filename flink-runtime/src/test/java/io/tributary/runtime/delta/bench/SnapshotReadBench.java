package io.tributary.runtime.delta.bench;

import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.tributary.runtime.delta.DeltaTypes;
import io.tributary.runtime.delta.KernelIterators;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.delta.KernelValues;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * Measures reading a Delta table's data files into Flink rows, its string columns read as Kernel's
 * Java strings or as their bytes ({@link KernelValues#stringsAsBytes}, what Tributary's reads do),
 * alternated in one JVM; each row's strings are hashed, as a hash shuffle or a distinct set does. The
 * default columns are gold's of the benchmark's {@code silver_events}. A main class, not a test:
 * figures depend on the machine. Run from the worktree root, after {@code bin/bench --mode process}:
 *
 * <pre>{@code
 * mvn -B -q -pl flink-runtime -am test-compile
 * mvn -B -q -pl flink-runtime dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -cp "flink-runtime/target/test-classes:flink-runtime/target/classes:dsl/target/classes:quality/target/classes:cdc/target/classes:$(cat flink-runtime/target/bench.cp)" \
 *     io.tributary.runtime.delta.bench.SnapshotReadBench WORK/process/storage/tables/silver_events [rounds]
 * }</pre>
 */
public final class SnapshotReadBench {

  private static final RowType GOLD_COLUMNS =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("event_date", DataTypes.DATE()),
                  DataTypes.FIELD("event_type", DataTypes.STRING()),
                  DataTypes.FIELD("user_id", DataTypes.STRING()),
                  DataTypes.FIELD("duration", DataTypes.DOUBLE()))
              .getLogicalType();

  private SnapshotReadBench() {}

  public static void main(String[] args) throws IOException {
    String table = args[0];
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    Engine engine = DeltaTableReader.engine();
    List<FileStatus> files = new KernelSnapshotScan(engine, table, -1, GOLD_COLUMNS).fileStatuses();
    StructType strings = DeltaTypes.toStructType(GOLD_COLUMNS);
    StructType bytes = KernelValues.stringsAsBytes(strings);
    for (int round = 0; round < rounds; round++) {
      // alternated, each arm first in every other round
      for (StructType schema : round % 2 == 0 ? List.of(strings, bytes) : List.of(bytes, strings)) {
        long start = System.nanoTime();
        long[] rowsAndHash = read(engine, files, schema);
        long nanos = System.nanoTime() - start;
        System.out.printf(
            "round %d, strings as %s: %,d rows in %d ms (%d ns a row), hash %d%n",
            round,
            schema == bytes ? "bytes  " : "strings",
            rowsAndHash[0],
            nanos / 1_000_000,
            nanos / Math.max(1, rowsAndHash[0]),
            rowsAndHash[1]);
      }
    }
  }

  private static long[] read(Engine engine, List<FileStatus> files, StructType schema)
      throws IOException {
    long rows = 0;
    long hash = 0;
    for (FileStatus file : files) {
      try (CloseableIterator<FileReadResult> batches =
          engine
              .getParquetHandler()
              .readParquetFiles(
                  KernelIterators.of(List.of(file).iterator()), schema, Optional.empty())) {
        while (batches.hasNext()) {
          ColumnarBatch batch = batches.next().getData();
          KernelValues.Projection projection =
              KernelValues.Projection.of(batch.getSchema(), GOLD_COLUMNS);
          for (int i = 0; i < batch.getSize(); i++) {
            RowData row = projection.row(batch::getColumnVector, i);
            for (int field = 0; field < GOLD_COLUMNS.getFieldCount(); field++) {
              if (GOLD_COLUMNS.getTypeAt(field).getTypeRoot() == LogicalTypeRoot.VARCHAR
                  && !row.isNullAt(field)) {
                hash += row.getString(field).hashCode();
              }
            }
            rows++;
          }
        }
      }
    }
    return new long[] {rows, hash};
  }
}
