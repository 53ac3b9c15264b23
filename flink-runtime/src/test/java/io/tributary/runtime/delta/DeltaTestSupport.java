package io.tributary.runtime.delta;

import io.delta.standalone.DeltaLog;
import io.delta.standalone.data.CloseableIterator;
import io.delta.standalone.data.RowRecord;
import io.tributary.runtime.delta.write.DeltaFileWriter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.utils.TypeConversions;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;

/** Helpers shared by the Delta tests: external/internal row conversion and a Delta Standalone reader. */
public final class DeltaTestSupport {

  private DeltaTestSupport() {}

  /** Writes {@code rows} as data files of {@code folder} (a table, or a folder inside one), not committed. */
  public static List<DeltaDataFile> write(
      String folder, RowType type, List<String> partitionColumns, Row... rows)
      throws java.io.IOException {
    try (DeltaFileWriter writer =
        new DeltaFileWriter(folder, type, partitionColumns, 1 << 20, new Configuration(), 0)) {
      for (Row row : rows) {
        writer.write(internal(type, row));
      }
      return writer.closeAll();
    }
  }

  public static RowData internal(RowType type, Row row) {
    DataStructureConverter<Object, Object> converter =
        DataStructureConverters.getConverter(TypeConversions.fromLogicalToDataType(type));
    converter.open(DeltaTestSupport.class.getClassLoader());
    return (RowData) converter.toInternal(row);
  }

  /**
   * Every row of the table's latest snapshot, read by Delta Standalone (a second, independent Delta
   * implementation), as Flink external values of {@code type}. Scalar columns only.
   */
  public static List<Row> readWithStandalone(String path, RowType type) throws Exception {
    DeltaLog log = DeltaLog.forTable(new Configuration(), path);
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<RowRecord> it = log.snapshot().open()) {
      while (it.hasNext()) {
        RowRecord record = it.next();
        Row row = new Row(type.getFieldCount());
        for (int i = 0; i < type.getFieldCount(); i++) {
          String name = type.getFieldNames().get(i);
          row.setField(i, record.isNullAt(name) ? null : value(record, name, type.getTypeAt(i)));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static Object value(RowRecord r, String name, LogicalType type) {
    return switch (type.getTypeRoot()) {
      case CHAR, VARCHAR -> r.getString(name);
      case BOOLEAN -> r.getBoolean(name);
      case TINYINT -> r.getByte(name);
      case SMALLINT -> r.getShort(name);
      case INTEGER -> r.getInt(name);
      case BIGINT -> r.getLong(name);
      case FLOAT -> r.getFloat(name);
      case DOUBLE -> r.getDouble(name);
      // Standalone returns its own scale; the table's is the declared one
      case DECIMAL ->
          r.getBigDecimal(name)
              .setScale(
                  ((org.apache.flink.table.types.logical.DecimalType) type).getScale(),
                  java.math.RoundingMode.UNNECESSARY);
      case DATE -> r.getDate(name).toLocalDate();
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> r.getTimestamp(name).toInstant();
      case TIMESTAMP_WITHOUT_TIME_ZONE ->
          r.getTimestamp(name).toInstant().atOffset(ZoneOffset.UTC).toLocalDateTime();
      case BINARY, VARBINARY -> r.getBinary(name);
      default -> throw new IllegalArgumentException("not read by this helper: " + type);
    };
  }
}
