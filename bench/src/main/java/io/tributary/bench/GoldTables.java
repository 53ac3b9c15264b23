package io.tributary.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.types.Row;

/**
 * The three ways the benchmark obtains a gold table: Tributary's Delta table, the Spark baseline's
 * oracle CSV, and a recomputation from the raw event files that shares no code with either engine.
 */
public final class GoldTables {

  private static final ObjectMapper JSON = new ObjectMapper();

  private GoldTables() {}

  /** Reads {@code gold_daily_metrics} from the Delta table at {@code tablePath}. */
  public static List<GoldRow> fromDelta(String tablePath) {
    List<GoldRow> rows = new ArrayList<>();
    for (Row r : DeltaTableReader.readAll(tablePath)) {
      rows.add(
          new GoldRow(
              ((LocalDate) r.getField("event_date")).toString(),
              (String) r.getField("event_type"),
              ((Number) r.getField("event_count")).longValue(),
              ((Number) r.getField("unique_users")).longValue(),
              (Double) r.getField("avg_duration")));
    }
    return rows;
  }

  /**
   * Reads the Spark baseline's {@code OUT/oracle/gold_daily_metrics.csv}: a header line, then
   * {@code event_date,event_type,event_count,unique_users,avg_duration}, null as an empty field.
   */
  public static List<GoldRow> fromOracleCsv(Path csv) {
    List<GoldRow> rows = new ArrayList<>();
    try {
      List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
      String header = "event_date,event_type,event_count,unique_users,avg_duration";
      if (lines.isEmpty() || !lines.get(0).equals(header)) {
        throw new IllegalArgumentException(
            "Oracle file "
                + csv
                + ": the first line must be '"
                + header
                + "' (the layout spark-baseline/run.sh writes); check the --oracle folder.");
      }
      for (int i = 1; i < lines.size(); i++) {
        String[] f = lines.get(i).split(",", -1);
        if (f.length != 5) {
          throw new IllegalArgumentException(
              "Oracle file "
                  + csv
                  + ", line "
                  + (i + 1)
                  + ": expected 5 fields, got "
                  + f.length
                  + " in '"
                  + lines.get(i)
                  + "'.");
        }
        rows.add(
            new GoldRow(
                f[0],
                f[1],
                Long.parseLong(f[2]),
                Long.parseLong(f[3]),
                f[4].isEmpty() ? null : Double.valueOf(f[4])));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the oracle file " + csv, e);
    }
    return rows;
  }

  /**
   * Recomputes gold from the raw NDJSON files in {@code eventsDir}, in file-name order: malformed lines
   * are skipped, then rows without a user or with a timestamp not after 2020-01-01 are dropped, then the
   * first row of each event_id is kept (the generator's duplicates are exact copies, so which copy
   * survives does not matter). Timestamps are ISO-8601 UTC text, far from the boundary, so a text
   * comparison decides the expectation and the first ten characters are the UTC date.
   */
  public static List<GoldRow> recompute(Path eventsDir) {
    DistinctStrings seen = new DistinctStrings();
    Map<String, long[]> counts = new HashMap<>();
    Map<String, DistinctStrings> users = new HashMap<>();
    Map<String, double[]> durations = new HashMap<>();
    for (Path file : EventFiles.list(eventsDir)) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          Event e = Event.parse(line);
          if (e == null
              || e.user == null
              || e.timestamp == null
              || e.timestamp.compareTo("2020-01-01") <= 0
              || !seen.add(e.id)) {
            continue;
          }
          String key = e.timestamp.substring(0, 10) + "|" + e.type;
          counts.computeIfAbsent(key, k -> new long[1])[0]++;
          users.computeIfAbsent(key, k -> new DistinctStrings()).add(e.user);
          if (e.duration != null) {
            double[] acc = durations.computeIfAbsent(key, k -> new double[2]);
            acc[0] += e.duration;
            acc[1]++;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + file, e);
      }
    }
    List<GoldRow> rows = new ArrayList<>();
    counts.forEach(
        (key, n) -> {
          String[] k = key.split("\\|", 2);
          double[] acc = durations.get(key);
          rows.add(
              new GoldRow(
                  k[0], k[1], n[0], users.get(key).size(), acc == null ? null : acc[0] / acc[1]));
        });
    return rows;
  }

  /**
   * The fields of one event line the recomputation reads, parsed with Jackson's streaming parser (a
   * tree per line costs twice the time over 100M lines); null for a malformed line. A JSON null is
   * null; any other value is its text, as {@code JsonNode.asText()} gives it.
   */
  private record Event(String id, String user, String type, String timestamp, Double duration) {

    static Event parse(String line) {
      String id = null;
      String user = null;
      String type = null;
      String timestamp = null;
      Double duration = null;
      try (JsonParser p = JSON.getFactory().createParser(line)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
          String field = p.currentName();
          JsonToken value = p.nextToken();
          if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            p.skipChildren();
            continue;
          }
          if (value == JsonToken.VALUE_NULL) {
            continue;
          }
          switch (field) {
            case "event_id" -> id = p.getText();
            case "user_id" -> user = p.getText();
            case "event_type" -> type = p.getText();
            case "timestamp" -> timestamp = p.getText();
            case "duration" -> duration = p.getValueAsDouble();
            default -> {}
          }
        }
        return new Event(id, user, type, timestamp, duration);
      } catch (IOException malformed) {
        return null;
      }
    }
  }
}
