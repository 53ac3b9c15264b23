package io.tributary.runtime.source;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;

/**
 * Auto Loader's source metadata ({@code _metadata.file_path}, {@code file_modification_time},
 * {@code file_size}) as flat columns at the end of the row, after {@code _rescued_data}, when the
 * option {@code includeMetadata=true} is set: {@value #FILE_PATH} STRING, {@value #FILE_MODIFICATION_TIME}
 * TIMESTAMP_LTZ(3) and {@value #FILE_SIZE} BIGINT. Flat rather than a {@code _metadata} ROW because the
 * reader and the Delta writer here handle flat columns only. The format reads the other columns and joins
 * these per file.
 */
final class MetadataColumns {

  static final String FILE_PATH = "_metadata_file_path";
  static final String FILE_MODIFICATION_TIME = "_metadata_file_modification_time";
  static final String FILE_SIZE = "_metadata_file_size";

  static final List<String> NAMES = List.of(FILE_PATH, FILE_MODIFICATION_TIME, FILE_SIZE);

  private MetadataColumns() {}

  /**
   * {@code type} with the metadata columns appended; a file column of the same name (inferred from the
   * data) gives way, and its values are rescued.
   */
  static RowType append(RowType type) {
    List<RowType.RowField> fields = new ArrayList<>();
    for (RowType.RowField field : type.getFields()) {
      if (!NAMES.contains(field.getName())) {
        fields.add(field);
      }
    }
    fields.add(new RowType.RowField(FILE_PATH, VarCharType.STRING_TYPE));
    fields.add(new RowType.RowField(FILE_MODIFICATION_TIME, new LocalZonedTimestampType(3)));
    fields.add(new RowType.RowField(FILE_SIZE, new BigIntType()));
    return new RowType(fields);
  }

  /** Whether {@code type} ends with the metadata columns. */
  static boolean present(RowType type) {
    List<String> names = type.getFieldNames();
    return names.size() >= NAMES.size()
        && names.subList(names.size() - NAMES.size(), names.size()).equals(NAMES);
  }

  /** {@code type} without the trailing metadata columns: what the file formats produce. */
  static RowType strip(RowType type) {
    if (!present(type)) {
      return type;
    }
    return new RowType(type.getFields().subList(0, type.getFieldCount() - NAMES.size()));
  }

  /** The metadata values of one file. */
  static RowData values(String path, long modificationTime, long size) {
    return GenericRowData.of(
        StringData.fromString(path), TimestampData.fromEpochMillis(modificationTime), size);
  }
}
