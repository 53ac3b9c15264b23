package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * The floor the benchmark measures Tributary against: one thread of plain Java doing only the work
 * silver needs, in one pass, with no engine: read each event file, parse each line with Jackson, apply
 * the two silver rules, drop repeated event_ids with a hash set, derive event_date and write the silver
 * rows to one snappy Parquet file (the codec Tributary's Delta sink uses). No checkpoints, no commits,
 * no state that survives the process: what is left of Tributary's time above this is its overhead.
 *
 * <p>{@link #bronze} is the ingest floor: every line parsed into the bronze schema (a malformed line is
 * a row of NULLs, as both engines keep it) and written, no rules, no deduplication.
 */
public final class SinglePassBaseline {

  /** What one pass did. */
  public record Result(
      long linesRead, long rowsWritten, long bytesRead, long parquetBytes, double seconds) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MessageType SILVER =
      MessageTypeParser.parseMessageType(
          "message silver_events {"
              + " optional binary event_id (STRING); optional binary user_id (STRING); optional binary event_type (STRING);"
              + " optional int64 timestamp (TIMESTAMP(MICROS,true)); optional binary properties (STRING);"
              + " optional double duration; optional int64 amount (DECIMAL(10,2)); optional int32 event_date (DATE); }");
  private static final MessageType BRONZE =
      MessageTypeParser.parseMessageType(
          "message bronze_events {"
              + " optional binary event_id (STRING); optional binary user_id (STRING); optional binary event_type (STRING);"
              + " optional binary timestamp (STRING); optional binary properties (STRING);"
              + " optional double duration; optional int64 amount (DECIMAL(10,2)); }");
  private static final Instant YEAR_2020 = Instant.parse("2020-01-01T00:00:00Z");

  private SinglePassBaseline() {}

  /** Turns one line into the row to write, or null to write none. */
  private interface LineToRow {
    Group row(String line, SimpleGroupFactory groups);
  }

  /** Reads {@code eventsDir} and writes silver to {@code parquetFile} (replaced if present). */
  public static Result run(Path eventsDir, Path parquetFile) {
    Set<String> seen = new HashSet<>();
    return pass(eventsDir, parquetFile, SILVER, (line, groups) -> silverRow(line, seen, groups));
  }

  /** Reads {@code eventsDir} and writes every line as a bronze row to {@code parquetFile} (replaced if present). */
  public static Result bronze(Path eventsDir, Path parquetFile) {
    return pass(eventsDir, parquetFile, BRONZE, SinglePassBaseline::bronzeRow);
  }

  private static Result pass(
      Path eventsDir, Path parquetFile, MessageType schema, LineToRow toRow) {
    long start = System.nanoTime();
    long lines = 0;
    long written = 0;
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try {
      Files.deleteIfExists(parquetFile);
      Files.createDirectories(parquetFile.toAbsolutePath().getParent());
      try (ParquetWriter<Group> writer =
          ExampleParquetWriter.builder(
                  new org.apache.hadoop.fs.Path(parquetFile.toAbsolutePath().toUri()))
              .withConf(new Configuration())
              .withType(schema)
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .build()) {
        for (Path file : EventFiles.list(eventsDir)) {
          try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
              lines++;
              Group row = toRow.row(line, groups);
              if (row != null) {
                writer.write(row);
                written++;
              }
            }
          }
        }
      }
      return new Result(
          lines,
          written,
          EventFiles.bytes(eventsDir),
          Files.size(parquetFile),
          (System.nanoTime() - start) / 1e9);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Single-pass baseline: cannot read " + eventsDir + " or write " + parquetFile, e);
    }
  }

  /** The silver row of one line, or null when the line is malformed, fails a rule or repeats an event_id. */
  static Group silverRow(String line, Set<String> seen, SimpleGroupFactory groups) {
    JsonNode e;
    try {
      e = JSON.readTree(line);
    } catch (IOException malformed) {
      return null;
    }
    String user = text(e, "user_id");
    String ts = text(e, "timestamp");
    if (user == null || ts == null) {
      return null;
    }
    Instant instant = Instant.parse(ts);
    String id = text(e, "event_id");
    if (!instant.isAfter(YEAR_2020) || id == null || !seen.add(id)) {
      return null;
    }
    Group g = groups.newGroup();
    g.add("event_id", id);
    g.add("user_id", user);
    String type = text(e, "event_type");
    if (type != null) {
      g.add("event_type", type);
    }
    g.add("timestamp", instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000);
    String properties = text(e, "properties");
    if (properties != null) {
      g.add("properties", properties);
    }
    JsonNode duration = e.get("duration");
    if (duration != null && !duration.isNull()) {
      g.add("duration", duration.asDouble());
    }
    JsonNode amount = e.get("amount");
    if (amount != null && !amount.isNull()) {
      g.add(
          "amount",
          amount
              .decimalValue()
              .setScale(2, RoundingMode.UNNECESSARY)
              .unscaledValue()
              .longValueExact());
    }
    g.add("event_date", (int) instant.atOffset(ZoneOffset.UTC).toLocalDate().toEpochDay());
    return g;
  }

  /** The bronze row of one line: the declared columns, all NULL when the line is malformed. */
  static Group bronzeRow(String line, SimpleGroupFactory groups) {
    Group g = groups.newGroup();
    JsonNode e;
    try {
      e = JSON.readTree(line);
    } catch (IOException malformed) {
      return g;
    }
    for (String field :
        new String[] {"event_id", "user_id", "event_type", "timestamp", "properties"}) {
      String value = text(e, field);
      if (value != null) {
        g.add(field, value);
      }
    }
    JsonNode duration = e.get("duration");
    if (duration != null && !duration.isNull()) {
      g.add("duration", duration.asDouble());
    }
    JsonNode amount = e.get("amount");
    if (amount != null && !amount.isNull()) {
      g.add(
          "amount",
          amount
              .decimalValue()
              .setScale(2, RoundingMode.UNNECESSARY)
              .unscaledValue()
              .longValueExact());
    }
    return g;
  }

  private static String text(JsonNode e, String field) {
    JsonNode v = e.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
