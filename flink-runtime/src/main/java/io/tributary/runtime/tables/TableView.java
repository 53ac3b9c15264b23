package io.tributary.runtime.tables;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One Delta table, read from this JVM: each call reads the table's latest version (or the version it
 * names) afresh, so a view stays valid while updates write the table.
 *
 * <pre>{@code
 * TableView customers = PipelineTables.open(storage).table("dim_customers");
 * RowType schema = customers.schema();
 * List<Row> now = customers.rows();
 * List<Row> before = customers.rows(customers.version() - 1);
 * }</pre>
 *
 * <p>Values are Flink's external types: {@code String}, {@code Long}, {@code Integer},
 * {@code java.math.BigDecimal}, {@code java.time.LocalDate}, {@code java.time.LocalDateTime} (for
 * {@code TIMESTAMP}), {@code java.time.Instant} (for {@code TIMESTAMP_LTZ}), nested {@code Row}s, arrays
 * and maps. Rows come in no particular order (a Delta table has none).
 */
public final class TableView {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern COMMIT_FILE = Pattern.compile("\\d{20}\\.json");

  private final String name;
  private final String path;
  private final Configuration hadoopConf;

  TableView(String name, String path, Configuration hadoopConf) {
    this.name = name;
    this.path = path;
    this.hadoopConf = hadoopConf;
  }

  /** The table's name (its dataset's, or its folder's for a table opened by path). */
  public String name() {
    return name;
  }

  /** Where the Delta table lives. */
  public String path() {
    return path;
  }

  /** The latest version of the table. */
  public long version() {
    return DeltaTableReader.version(path, hadoopConf);
  }

  /** The columns of the latest version, as Flink types. */
  public RowType schema() {
    return DeltaTableReader.schema(path, hadoopConf)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "No Delta table at "
                        + path
                        + " any more: it was deleted after it was opened."));
  }

  /** The column names of the latest version, in order. */
  public List<String> columnNames() {
    return schema().getFieldNames();
  }

  /** The table's properties as of its latest version. */
  public Map<String, String> properties() {
    return DeltaTableReader.properties(path, hadoopConf).orElse(Map.of());
  }

  /** Every row of the latest version. */
  public List<Row> rows() {
    return DeltaTableReader.readAll(path, -1, hadoopConf);
  }

  /** Every row of {@code version} (time travel; the version's files must not have been vacuumed). */
  public List<Row> rows(long version) {
    if (version < 0) {
      throw new IllegalArgumentException(
          "Table '"
              + name
              + "': version "
              + version
              + " does not exist; versions "
              + "start at 0.");
    }
    return DeltaTableReader.readAll(path, version, hadoopConf);
  }

  /** Every row of the latest version, each a map from column name to value, in column order. */
  public List<Map<String, Object>> rowsAsMaps() {
    List<String> columns = columnNames();
    List<Map<String, Object>> maps = new ArrayList<>();
    for (Row row : rows()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        map.put(columns.get(i), row.getField(i));
      }
      maps.add(map);
    }
    return maps;
  }

  /** The number of rows of the latest version. */
  public long count() {
    return rows().size();
  }

  /**
   * The versions the Delta log still records, oldest first (log files older than the log retention
   * are deleted by maintenance, as in Delta).
   */
  public List<TableCommit> history() {
    Path log = new Path(path, "_delta_log");
    List<TableCommit> commits = new ArrayList<>();
    try {
      FileSystem fs = log.getFileSystem(hadoopConf);
      List<FileStatus> files = new ArrayList<>();
      for (FileStatus status : fs.listStatus(log)) {
        if (COMMIT_FILE.matcher(status.getPath().getName()).matches()) {
          files.add(status);
        }
      }
      files.sort(Comparator.comparing(s -> s.getPath().getName()));
      for (FileStatus file : files) {
        commits.add(commit(fs, file));
      }
    } catch (FileNotFoundException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the Delta log of table '" + name + "' at " + log + ": " + e.getMessage(), e);
    }
    return commits;
  }

  private static TableCommit commit(FileSystem fs, FileStatus file) throws IOException {
    String fileName = file.getPath().getName();
    long version = Long.parseLong(fileName.substring(0, fileName.indexOf('.')));
    Instant timestamp = Instant.ofEpochMilli(file.getModificationTime());
    String operation = "UNKNOWN";
    Map<String, String> parameters = new LinkedHashMap<>();
    Optional<TableCommit.Transaction> transaction = Optional.empty();
    int added = 0;
    int removed = 0;
    boolean dataChange = false;
    try (FSDataInputStream in = fs.open(file.getPath());
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode action = JSON.readTree(line);
        if (action.has("commitInfo")) {
          JsonNode info = action.get("commitInfo");
          if (info.has("timestamp")) {
            timestamp = Instant.ofEpochMilli(info.get("timestamp").asLong());
          }
          operation = info.path("operation").asText(operation);
          info.path("operationParameters")
              .fields()
              .forEachRemaining(
                  e ->
                      parameters.put(
                          e.getKey(),
                          e.getValue().isTextual()
                              ? e.getValue().asText()
                              : e.getValue().toString()));
        } else if (action.has("txn")) {
          JsonNode txn = action.get("txn");
          transaction =
              Optional.of(
                  new TableCommit.Transaction(
                      txn.path("appId").asText(), txn.path("version").asLong()));
        } else if (action.has("add") && action.get("add").path("dataChange").asBoolean(true)) {
          added++;
          dataChange = true;
        } else if (action.has("remove")
            && action.get("remove").path("dataChange").asBoolean(true)) {
          removed++;
          dataChange = true;
        }
      }
    }
    return new TableCommit(
        version, timestamp, operation, parameters, transaction, added, removed, dataChange);
  }
}
