package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.types.Row;

/**
 * The three ways the benchmark obtains the SCD tables, each row as the text the Spark baseline's
 * oracle CSV holds (NULL as ""): Tributary's Delta table, the oracle CSV, and a recomputation from the
 * raw change files that shares no code with either engine (the logic of the baseline's
 * {@code check_oracle.py}).
 */
public final class CdcTables {

  /** The SCD type 1 table's columns, in the oracle's order. */
  public static final List<String> SCD1_COLUMNS =
      List.of("customer_id", "name", "email", "address", "updated_at");

  /** The SCD type 2 table's columns, in the oracle's order. */
  public static final List<String> SCD2_COLUMNS =
      List.of("customer_id", "name", "email", "address", "__START_AT", "__END_AT");

  private static final ObjectMapper JSON = new ObjectMapper();

  private CdcTables() {}

  /** The columns of the SCD table of {@code type}. */
  public static List<String> columns(int type) {
    return type == 1 ? SCD1_COLUMNS : SCD2_COLUMNS;
  }

  /** The rows of the Delta table at {@code table}, projected on {@code columns}. */
  public static List<List<String>> fromDelta(Path table, List<String> columns) {
    List<List<String>> rows = new ArrayList<>();
    for (Row r : DeltaTableReader.readAll(table.toAbsolutePath().toString())) {
      List<String> row = new ArrayList<>(columns.size());
      for (String c : columns) {
        Object v = r.getField(c);
        row.add(v == null ? "" : v.toString());
      }
      rows.add(row);
    }
    return rows;
  }

  /**
   * The rows of an oracle CSV of the Spark baseline ({@code OUT/oracle/customers_scd1.csv} or
   * {@code customers_scd2.csv}): a header naming {@code columns}, then one line per row, written by
   * Spark's CSV writer (a field holding a comma is quoted, a quote inside is escaped with a backslash).
   */
  public static List<List<String>> fromOracleCsv(Path csv, List<String> columns) {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the oracle file " + csv, e);
    }
    String header = String.join(",", columns);
    if (lines.isEmpty() || !lines.get(0).equals(header)) {
      throw new IllegalArgumentException(
          "Oracle file "
              + csv
              + ": the first line must be '"
              + header
              + "' (the layout spark-baseline/run.sh writes); check the --spark-out folder.");
    }
    List<List<String>> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      List<String> fields = csvFields(lines.get(i));
      if (fields.size() != columns.size()) {
        throw new IllegalArgumentException(
            "Oracle file "
                + csv
                + ", line "
                + (i + 1)
                + ": expected "
                + columns.size()
                + " fields, got "
                + fields.size()
                + " in '"
                + lines.get(i)
                + "'.");
      }
      rows.add(fields);
    }
    return rows;
  }

  /** One CSV line's fields: quoted fields may hold commas, {@code \"} is a quote inside quotes. */
  static List<String> csvFields(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '\\' && i + 1 < line.length()) {
          field.append(line.charAt(++i));
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }

  /**
   * Both SCD tables recomputed from the raw change files in {@code cdcDir}: each key's changes sorted
   * by {@code updated_at}; SCD1 keeps the last change of a key unless it is a DELETE; SCD2 has one row
   * per non-DELETE change, ending at the key's next change (NULL for the last). Changes without a key
   * or a sequence value are left out, as the baseline filters them.
   *
   * @return index 0: SCD1 rows, index 1: SCD2 rows
   */
  public static List<List<List<String>>> recompute(Path cdcDir) {
    Map<String, List<JsonNode>> byKey = new HashMap<>();
    for (Path file : EventFiles.list(cdcDir)) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          JsonNode e = JSON.readTree(line);
          if (text(e, "customer_id").isEmpty()
              || e.path("updated_at").isNull()
              || e.get("updated_at") == null) {
            continue;
          }
          byKey.computeIfAbsent(text(e, "customer_id"), k -> new ArrayList<>()).add(e);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read the change file " + file, e);
      }
    }
    List<List<String>> scd1 = new ArrayList<>();
    List<List<String>> scd2 = new ArrayList<>();
    byKey.forEach(
        (key, changes) -> {
          changes.sort(Comparator.comparingLong(e -> e.get("updated_at").asLong()));
          JsonNode last = changes.get(changes.size() - 1);
          if (!isDelete(last)) {
            scd1.add(
                List.of(
                    key,
                    text(last, "name"),
                    text(last, "email"),
                    text(last, "address"),
                    Long.toString(last.get("updated_at").asLong())));
          }
          for (int i = 0; i < changes.size(); i++) {
            JsonNode e = changes.get(i);
            if (!isDelete(e)) {
              String end =
                  i + 1 < changes.size()
                      ? Long.toString(changes.get(i + 1).get("updated_at").asLong())
                      : "";
              scd2.add(
                  List.of(
                      key,
                      text(e, "name"),
                      text(e, "email"),
                      text(e, "address"),
                      Long.toString(e.get("updated_at").asLong()),
                      end));
            }
          }
        });
    return List.of(scd1, scd2);
  }

  private static boolean isDelete(JsonNode e) {
    return "DELETE".equals(text(e, "operation"));
  }

  private static String text(JsonNode e, String field) {
    JsonNode v = e.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }
}
