package io.tributary.runtime.eventlog;

import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.KernelEngine;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The event log as a Delta table, {@code <storage>/_tributary/event_log}, with DLT's columns:
 * {@code id, sequence, origin struct<pipeline, update_id, flow_name, dataset>, timestamp, level,
 * message, error, details (JSON string), event_type}.
 *
 * <p>{@link #fold} moves each update's journal into the table in one commit (one Parquet file) whose
 * Delta transaction id is ({@value #APP_ID}, update number): a journal folded twice, for example
 * after a crash between the commit and the journal's deletion, is committed once. So the table gets
 * one commit per update, not one per event, and loses nothing the journal holds.
 */
public final class EventLogTable {

  /** The Delta transaction app id of the folds; its version is the last folded update's number. */
  public static final String APP_ID = "tributary/event_log";

  /** The table's row type. */
  public static final RowType ROW_TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.STRING()),
                  DataTypes.FIELD("sequence", DataTypes.BIGINT()),
                  DataTypes.FIELD(
                      "origin",
                      DataTypes.ROW(
                          DataTypes.FIELD("pipeline", DataTypes.STRING()),
                          DataTypes.FIELD("update_id", DataTypes.STRING()),
                          DataTypes.FIELD("flow_name", DataTypes.STRING()),
                          DataTypes.FIELD("dataset", DataTypes.STRING()))),
                  DataTypes.FIELD("timestamp", DataTypes.TIMESTAMP_LTZ(6)),
                  DataTypes.FIELD("level", DataTypes.STRING()),
                  DataTypes.FIELD("message", DataTypes.STRING()),
                  DataTypes.FIELD("error", DataTypes.STRING()),
                  DataTypes.FIELD("details", DataTypes.STRING()),
                  DataTypes.FIELD("event_type", DataTypes.STRING()))
              .getLogicalType();

  private static final MessageType PARQUET_SCHEMA =
      Types.buildMessage()
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("id")
          .optional(PrimitiveTypeName.INT64)
          .named("sequence")
          .optionalGroup()
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("pipeline")
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("update_id")
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("flow_name")
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("dataset")
          .named("origin")
          .optional(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
          .named("timestamp")
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("level")
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("message")
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("error")
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("details")
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("event_type")
          .named("event_log");

  private final String path;
  private final Configuration conf;

  public EventLogTable(String path, Configuration conf) {
    this.path = path;
    this.conf = conf;
  }

  public String path() {
    return path;
  }

  /** The number of the last update folded into the table, 0 if none. */
  public long lastFoldedUpdate() {
    return committer().latestTransactionVersion().orElse(0);
  }

  /**
   * Folds the journals of updates up to {@code upToUpdate} into the table, oldest first, one commit
   * each, and deletes them. Idempotent: an update already in the table is not committed again.
   *
   * @return the number of events added to the table
   */
  public int fold(EventJournal journal, long upToUpdate) {
    DeltaTableCommitter committer = committer();
    long folded = committer.latestTransactionVersion().orElse(0);
    int added = 0;
    for (long number : journal.updateNumbers()) {
      if (number > upToUpdate) {
        break;
      }
      if (number > folded) {
        List<Event> events = journal.read(number);
        if (!events.isEmpty()
            && committer.commit(number, List.of(writeFile(events)), false).isPresent()) {
          added += events.size();
        }
      }
      journal.delete(number);
    }
    return added;
  }

  /** Every event of the table, by sequence; empty if there is no table yet. */
  public List<Event> readAll() {
    if (DeltaTableReader.schema(path, conf).isEmpty()) {
      return List.of();
    }
    List<Event> events = new ArrayList<>();
    for (Row row : DeltaTableReader.readAll(path, -1, conf)) {
      Row origin = (Row) row.getField("origin");
      events.add(
          new Event(
              (String) row.getField("id"),
              (Long) row.getField("sequence"),
              new Event.Origin(
                  (String) origin.getField("pipeline"),
                  (String) origin.getField("update_id"),
                  Optional.ofNullable((String) origin.getField("flow_name")),
                  Optional.ofNullable((String) origin.getField("dataset"))),
              (Instant) row.getField("timestamp"),
              Event.Level.valueOf((String) row.getField("level")),
              (String) row.getField("message"),
              Optional.ofNullable((String) row.getField("error")),
              (String) row.getField("details"),
              (String) row.getField("event_type")));
    }
    events.sort(Comparator.comparingLong(Event::sequence));
    return events;
  }

  private DeltaTableCommitter committer() {
    return new DeltaTableCommitter(
        KernelEngine.create(conf),
        DeltaWriteSpec.append(path, ROW_TYPE, APP_ID)
            .withComment(
                "The event log of a Tributary pipeline: one row per event, as Delta Live Tables' event log."));
  }

  /** One Parquet file of {@code events} inside the table folder, described for its Delta commit. */
  private DeltaDataFile writeFile(List<Event> events) {
    Path file = new Path(path, "part-" + UUID.randomUUID() + ".snappy.parquet");
    SimpleGroupFactory groups = new SimpleGroupFactory(PARQUET_SCHEMA);
    try {
      FileSystem fs = file.getFileSystem(conf);
      file = fs.makeQualified(file);
      try (ParquetWriter<Group> writer =
          ExampleParquetWriter.builder(file)
              .withConf(conf)
              .withType(PARQUET_SCHEMA)
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .build()) {
        for (Event event : events) {
          Group row = groups.newGroup();
          row.append("id", event.id());
          row.append("sequence", event.sequence());
          Group origin = row.addGroup("origin");
          origin.append("pipeline", event.origin().pipeline());
          origin.append("update_id", event.origin().updateId());
          event.origin().flowName().ifPresent(f -> origin.append("flow_name", f));
          event.origin().dataset().ifPresent(d -> origin.append("dataset", d));
          Instant t = event.timestamp();
          row.append("timestamp", ChronoUnit.MICROS.between(Instant.EPOCH, t));
          row.append("level", event.level().name());
          row.append("message", event.message());
          event.error().ifPresent(e -> row.append("error", e));
          row.append("details", event.details());
          row.append("event_type", event.eventType());
          writer.write(row);
        }
      }
      FileStatus status = fs.getFileStatus(file);
      return new DeltaDataFile(
          status.getPath().toString(),
          status.getLen(),
          status.getModificationTime(),
          events.size(),
          Map.of(),
          "{\"numRecords\":" + events.size() + "}");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the event log file " + file + ": " + e.getMessage(), e);
    }
  }
}
