package io.tributary.runtime.delta;

import io.delta.kernel.engine.Engine;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.delta.write.DeltaFileWriter;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;

/**
 * A Delta table written outside any pipeline, for tests of the Delta source: appends and overwrites go
 * through Tributary's own committer (so they are commits any Delta writer makes: adds, and removes with
 * {@code dataChange=true}), and a compaction is written as Spark's {@code OPTIMIZE} writes it: one new
 * file holding the same rows, its add and the removes of the old files all with {@code dataChange=false}.
 */
public final class UpstreamDeltaTable {

  private final String path;
  private final RowType type;
  private final Configuration conf = new Configuration();
  private final Engine engine = DeltaTableReader.engine();
  private final String appId = "upstream-" + java.util.UUID.randomUUID();
  private long epoch;

  public UpstreamDeltaTable(String path, RowType type) {
    this.path = path;
    this.type = type;
  }

  public String path() {
    return path;
  }

  /** Commits one file of {@code rows} as an append; returns the table version. */
  public long append(Row... rows) {
    return commit(List.of(write(rows)), false);
  }

  /** Replaces the table's rows by {@code rows} in one commit (removes with dataChange=true); returns the version. */
  public long overwrite(Row... rows) {
    return commit(rows.length == 0 ? List.of() : List.of(write(rows)), true);
  }

  /** Rewrites every live file into one, changing no row (dataChange=false); returns the version. */
  public long compact() {
    long version = DeltaTableReader.version(path);
    KernelSnapshotScan scan = new KernelSnapshotScan(engine, path, version, type);
    List<Row> rows = DeltaTableReader.readAll(path, version);
    DeltaDataFile merged = write(rows.toArray(Row[]::new));
    StringBuilder json = new StringBuilder();
    long now = System.currentTimeMillis();
    for (var status : scan.fileStatuses()) {
      json.append("{\"remove\":{\"path\":\"")
          .append(relative(status.getPath()))
          .append("\",\"deletionTimestamp\":")
          .append(now)
          .append(
              ",\"dataChange\":false,\"extendedFileMetadata\":true,\"partitionValues\":{},\"size\":")
          .append(status.getSize())
          .append("}}\n");
    }
    json.append("{\"add\":{\"path\":\"")
        .append(relative(merged.path()))
        .append("\",\"partitionValues\":{},\"size\":")
        .append(merged.size())
        .append(",\"modificationTime\":")
        .append(merged.modificationTime())
        .append(",\"dataChange\":false}}\n");
    json.append("{\"commitInfo\":{\"timestamp\":")
        .append(now)
        .append(",\"operation\":\"OPTIMIZE\"}}\n");
    Path commit = Path.of(path, "_delta_log", String.format("%020d.json", version + 1));
    try {
      Files.writeString(
          commit, json, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return version + 1;
  }

  /**
   * Commits a metadata action (and nothing else) whose schema has {@code field} (a Delta schema field as
   * JSON, such as {@code {"name":"extra","type":"string","nullable":true,"metadata":{}}}) in place of the
   * field of that name, or added at the end; returns the version. It writes the log as any Delta writer
   * would that evolves a schema without column mapping.
   */
  public long withField(String field) {
    long version = DeltaTableReader.version(path);
    try {
      var json = new com.fasterxml.jackson.databind.ObjectMapper();
      com.fasterxml.jackson.databind.node.ObjectNode metadata = null;
      for (long v = version; v >= 0 && metadata == null; v--) {
        for (String line :
            Files.readAllLines(Path.of(path, "_delta_log", String.format("%020d.json", v)))) {
          if (line.startsWith("{\"metaData\"")) {
            metadata = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(line);
          }
        }
      }
      var action = (com.fasterxml.jackson.databind.node.ObjectNode) metadata.get("metaData");
      var schema =
          (com.fasterxml.jackson.databind.node.ObjectNode)
              json.readTree(action.get("schemaString").asText());
      var fields = (com.fasterxml.jackson.databind.node.ArrayNode) schema.get("fields");
      var added = json.readTree(field);
      boolean replaced = false;
      for (int i = 0; i < fields.size(); i++) {
        if (fields.get(i).get("name").asText().equals(added.get("name").asText())) {
          fields.set(i, added);
          replaced = true;
        }
      }
      if (!replaced) {
        fields.add(added);
      }
      action.put("schemaString", json.writeValueAsString(schema));
      Files.writeString(
          Path.of(path, "_delta_log", String.format("%020d.json", version + 1)),
          json.writeValueAsString(metadata) + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE_NEW);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return version + 1;
  }

  private String relative(String file) {
    String name = file.substring(file.lastIndexOf('/') + 1);
    return name;
  }

  private DeltaDataFile write(Row... rows) {
    try (DeltaFileWriter writer = new DeltaFileWriter(path, type, List.of(), 1 << 20, conf, 0)) {
      for (Row row : rows) {
        writer.write(DeltaTestSupport.internal(type, row));
      }
      List<DeltaDataFile> files = new ArrayList<>(writer.closeAll());
      if (files.size() != 1) {
        throw new IllegalStateException("expected one file, wrote " + files);
      }
      return files.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long commit(List<DeltaDataFile> files, boolean overwrite) {
    epoch++;
    DeltaWriteSpec spec =
        overwrite
            ? DeltaWriteSpec.overwrite(path, type, appId + "-ow", epoch)
            : DeltaWriteSpec.append(path, type, appId);
    new DeltaTableCommitter(engine, spec).commit(epoch, files, overwrite);
    return DeltaTableReader.version(path);
  }
}
