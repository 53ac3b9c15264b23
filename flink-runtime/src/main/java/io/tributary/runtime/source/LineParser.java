package io.tributary.runtime.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.runtime.storage.HadoopSettings;
import java.nio.charset.StandardCharsets;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Turns one line of one file into a row of the produced type; one instance per file, as a CSV header
 * belongs to its file. What does not fit follows the source's {@link ParseMode} and rescued data column,
 * as Auto Loader:
 *
 * <ul>
 *   <li>With a rescued data column ({@code _rescued_data}, or the name {@code rescuedDataColumn} gives),
 *       it keeps {@code {"<field>": <value>, ..., "_file_path": "<path>"}} for fields that do not fit
 *       (unknown, differing in case, of the wrong type), and
 *       {@code {"_corrupt_record": "<line>", "_file_path": "<path>", "_line": N}} for a line that cannot
 *       be parsed at all (every other column NULL).
 *   <li>Without one, unknown fields are ignored; PERMISSIVE reads a value of the wrong type as NULL and
 *       a malformed line as a row of NULLs.
 *   <li>DROPMALFORMED drops a malformed line, and without a rescued data column a record with a value of
 *       the wrong type too; each drop is logged with its file and line, and the file's count when it ends.
 *   <li>FAILFAST fails at either, naming the file and line.
 * </ul>
 */
abstract class LineParser {

  /** Shared, thread-safe once configured. */
  static final ObjectMapper JSON = JsonLineParser.newMapper();

  final AutoLoaderOptions options;
  final RowLayout layout;
  final String sourceId;
  final String filePath;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LineParser.class);

  /** Dropped records logged one by one per file; the rest only in the file's count. */
  private static final int LOGGED_DROPS = 20;

  private long dropped;
  private boolean finished;

  /** The pipeline's Hadoop settings, with which an evolved schema is stored. */
  HadoopSettings hadoop = HadoopSettings.none();

  LineParser(AutoLoaderOptions options, RowType type, String sourceId, String filePath) {
    this.options = options;
    this.layout = new RowLayout(type, options.rescuedColumnName());
    this.sourceId = sourceId;
    this.filePath = filePath;
  }

  /** The parser for one file of the source's format. */
  static LineParser create(
      AutoLoaderOptions options, RowType type, String sourceId, String filePath) {
    return create(options, type, sourceId, filePath, HadoopSettings.none());
  }

  /** As {@link #create(AutoLoaderOptions, RowType, String, String)}, storing evolved schemas with {@code hadoop}. */
  static LineParser create(
      AutoLoaderOptions options,
      RowType type,
      String sourceId,
      String filePath,
      HadoopSettings hadoop) {
    LineParser parser =
        switch (options.format()) {
          case JSON -> new JsonLineParser(options, type, sourceId, filePath);
          case CSV -> new CsvLineParser(options, type, sourceId, filePath);
          case TEXT -> new TextLineParser(options, type, sourceId, filePath);
          case PARQUET ->
              throw new IllegalStateException(
                  "Parquet files are read by ParquetColumnarRowInputFormat, not by lines");
        };
    parser.hadoop = java.util.Objects.requireNonNull(hadoop, "hadoop");
    return parser;
  }

  /** The row for {@code line}, or {@code null} when the line holds no record (blank, CSV header). */
  abstract RowData parse(byte[] line, long lineNumber);

  /** Called instead of {@link #parse} for lines a restored reader skips, so per-file state (a header) is kept. */
  void skip(byte[] line, long lineNumber) {}

  /** The records of this file dropped under {@code mode=DROPMALFORMED} so far. */
  final long droppedRecords() {
    return dropped;
  }

  /** Called when the file has been read to its end: logs how many records were dropped, if any. */
  final void finishFile() {
    if (dropped > 0 && !finished) {
      finished = true;
      LOG.warn(
          "Auto Loader source '{}': dropped {} malformed record(s) of file {} (mode=DROPMALFORMED).",
          sourceId,
          dropped,
          filePath);
    }
  }

  /** Counts and logs a record dropped under {@code mode=DROPMALFORMED}; returns null, its row. */
  final RowData drop(long lineNumber, String reason) {
    dropped++;
    if (dropped <= LOGGED_DROPS) {
      LOG.warn(
          "Auto Loader source '{}': dropped the malformed record in file {} at line {} (mode=DROPMALFORMED): {}",
          sourceId,
          filePath,
          lineNumber,
          reason);
    }
    return null;
  }

  /**
   * The row for a line that cannot be parsed: all columns NULL and the raw text rescued (without a
   * rescued data column, a row of NULLs), or null when it is dropped.
   */
  final RowData corrupt(byte[] line, long lineNumber, String reason) {
    if (options.failFast()) {
      throw AutoLoaderErrors.malformedRecord(
          sourceId, filePath, lineNumber, reason, layout.rescuedName());
    }
    if (options.dropMalformed()) {
      return drop(lineNumber, reason);
    }
    if (!layout.hasRescuedColumn()) {
      return new GenericRowData(layout.arity());
    }
    ObjectNode rescued = JsonNodeFactory.instance.objectNode();
    rescued.put("_corrupt_record", new String(line, StandardCharsets.UTF_8));
    rescued.put("_file_path", filePath);
    rescued.put("_line", lineNumber);
    GenericRowData row = new GenericRowData(layout.arity());
    row.setField(layout.rescuedIndex(), StringData.fromString(rescued.toString()));
    return row;
  }

  /** Lower-case names of the data columns: a field matching one only in case is not a new column. */
  private java.util.Set<String> lowerCaseColumns;

  private boolean isCaseVariant(String name) {
    if (lowerCaseColumns == null) {
      lowerCaseColumns = new java.util.HashSet<>();
      for (int i = 0; i < layout.dataColumns(); i++) {
        lowerCaseColumns.add(layout.nameAt(i).toLowerCase(java.util.Locale.ROOT));
      }
    }
    return lowerCaseColumns.contains(name.toLowerCase(java.util.Locale.ROOT));
  }

  /** Collects the fields of one record that do not fit; creates its JSON object only when needed. */
  final class Rescue {
    private final long lineNumber;
    private String dropReason;
    private ObjectNode fields;
    private java.util.LinkedHashMap<String, org.apache.flink.table.types.logical.LogicalType>
        newColumns;

    Rescue(long lineNumber) {
      this.lineNumber = lineNumber;
    }

    /** Keeps a field whose name is not a column (unknown, or differing in case). */
    void unknown(String name, JsonNode value) {
      SchemaEvolutionMode mode = options.evolutionMode();
      boolean evolving =
          mode == SchemaEvolutionMode.FAIL_ON_NEW_COLUMNS
              || (mode == SchemaEvolutionMode.ADD_NEW_COLUMNS
                  && !options.schemaLocation().isEmpty());
      if (!isCaseVariant(name) && !name.equals(layout.rescuedName())) {
        if (mode == SchemaEvolutionMode.NONE) {
          return;
        }
        if (evolving) {
          if (newColumns == null) {
            newColumns = new java.util.LinkedHashMap<>();
          }
          newColumns.put(name, SchemaInference.evolvedType(value, options.inferColumnTypes()));
          return;
        }
      }
      if (layout.hasRescuedColumn()) {
        object().set(name, value);
      } // without one an unknown field is ignored, as Auto Loader with a declared schema
    }

    /** Keeps a value that does not fit its column's type. */
    void mismatch(int column, String name, JsonNode value) {
      String reason =
          "column '"
              + name
              + "' is "
              + layout.typeAt(column).asSummaryString()
              + " but the value is "
              + value;
      if (options.failFast()) {
        throw AutoLoaderErrors.malformedRecord(
            sourceId, filePath, lineNumber, reason, layout.rescuedName());
      }
      if (layout.hasRescuedColumn()) {
        object().set(name, value);
      } else if (options.dropMalformed() && dropReason == null) {
        dropReason = reason;
      } // PERMISSIVE without a rescued data column: the value stays NULL
    }

    /** The row with the rescued fields, if any, written into it; null when the record is dropped. */
    RowData finish(GenericRowData row) {
      if (newColumns != null) {
        java.util.List<String> names = new java.util.ArrayList<>(newColumns.keySet());
        if (options.evolutionMode() == SchemaEvolutionMode.FAIL_ON_NEW_COLUMNS) {
          throw AutoLoaderErrors.newColumnsRejected(sourceId, filePath, lineNumber, names);
        }
        StoredSchemas.evolve(options, newColumns, hadoop);
        throw AutoLoaderErrors.schemaEvolved(
            sourceId, filePath, lineNumber, names, options.schemaLocation());
      }
      if (dropReason != null) {
        return drop(lineNumber, dropReason);
      }
      if (fields != null) {
        fields.put("_file_path", filePath);
        row.setField(layout.rescuedIndex(), StringData.fromString(fields.toString()));
      }
      return row;
    }

    private ObjectNode object() {
      if (fields == null) {
        fields = JsonNodeFactory.instance.objectNode();
      }
      return fields;
    }
  }

  static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }
}
