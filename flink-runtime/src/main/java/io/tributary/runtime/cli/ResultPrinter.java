package io.tributary.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.types.Row;

/**
 * Prints a query's result as {@code tributary sql} does: a boxed table with the column names as
 * Flink's SQL client shows one (right-aligned cells, {@code <NULL>} for a null, the row count below),
 * or, for scripts, CSV (a header line, RFC 4180 quoting, an empty field for a null) or JSON (one
 * object per row and line, the column names as keys).
 */
final class ResultPrinter {

  /** The output formats of {@code tributary sql}. */
  enum Format {
    TABLE,
    CSV,
    JSON
  }

  static final String NULL = "<NULL>";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultPrinter() {}

  static void print(PrintWriter out, Format format, List<String> columns, Iterable<Row> rows) {
    switch (format) {
      case CSV -> csv(out, columns, rows);
      case JSON -> json(out, columns, rows);
      default -> table(out, columns, rows);
    }
  }

  private static void table(PrintWriter out, List<String> columns, Iterable<Row> rows) {
    List<String[]> cells = new ArrayList<>();
    int[] widths = columns.stream().mapToInt(String::length).toArray();
    for (Row row : rows) {
      String[] line = new String[columns.size()];
      for (int i = 0; i < line.length; i++) {
        Object value = row.getField(i);
        line[i] = value == null ? NULL : text(value);
        widths[i] = Math.max(widths[i], line[i].length());
      }
      cells.add(line);
    }
    StringBuilder border = new StringBuilder("+");
    for (int width : widths) {
      border.append("-".repeat(width + 2)).append('+');
    }
    out.println(border);
    out.println(line(columns.toArray(String[]::new), widths));
    out.println(border);
    for (String[] line : cells) {
      out.println(line(line, widths));
    }
    if (!cells.isEmpty()) {
      out.println(border);
    }
    out.println(
        cells.isEmpty()
            ? "Empty set"
            : cells.size() + (cells.size() == 1 ? " row" : " rows") + " in set");
  }

  private static String line(String[] cells, int[] widths) {
    StringBuilder line = new StringBuilder("|");
    for (int i = 0; i < cells.length; i++) {
      line.append(' ')
          .append(" ".repeat(widths[i] - cells[i].length()))
          .append(cells[i])
          .append(" |");
    }
    return line.toString();
  }

  private static void csv(PrintWriter out, List<String> columns, Iterable<Row> rows) {
    out.println(String.join(",", columns.stream().map(ResultPrinter::csvField).toList()));
    for (Row row : rows) {
      List<String> fields = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        Object value = row.getField(i);
        fields.add(value == null ? "" : csvField(text(value)));
      }
      out.println(String.join(",", fields));
    }
  }

  private static String csvField(String value) {
    boolean quote =
        value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r");
    return quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
  }

  private static void json(PrintWriter out, List<String> columns, Iterable<Row> rows) {
    for (Row row : rows) {
      ObjectNode node = JSON.createObjectNode();
      for (int i = 0; i < columns.size(); i++) {
        Object value = row.getField(i);
        String name = columns.get(i);
        if (value == null) {
          node.putNull(name);
        } else if (value instanceof Boolean b) {
          node.put(name, b);
        } else if (value instanceof BigDecimal d) {
          node.put(name, d);
        } else if (value instanceof Long
            || value instanceof Integer
            || value instanceof Short
            || value instanceof Byte) {
          node.put(name, ((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
          double d = ((Number) value).doubleValue();
          if (Double.isFinite(d)) {
            node.put(name, d);
          } else {
            node.put(name, text(value));
          }
        } else {
          node.put(name, text(value));
        }
      }
      out.println(node);
    }
  }

  /** A value as the SQL client shows it: arrays and binaries spelled out, everything else its string. */
  static String text(Object value) {
    if (value instanceof byte[] bytes) {
      return "x'" + HexFormat.of().formatHex(bytes) + "'";
    }
    if (value instanceof Object[] array) {
      return Arrays.deepToString(array);
    }
    if (value.getClass().isArray()) {
      return Arrays.deepToString(new Object[] {value}).replaceAll("^\\[|\\]$", "");
    }
    return value.toString();
  }
}
