package io.tributary.runtime.source;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;

/**
 * An Auto Loader source's declared schema or schema hints: a Flink SQL column list parsed with
 * Flink's own type parser, column names without back-quotes allowed (so {@code timestamp TIMESTAMP(3)}
 * works), each problem an {@link AutoLoaderErrors#badSchemaDdl} naming the source's path.
 */
final class SchemaDdl {

  private static final Pattern COLUMN_COMMENT =
      Pattern.compile("(?is)^(.*?)\\s+COMMENT\\s+('.*')$");

  private SchemaDdl() {}

  /** Parses a Flink SQL column list such as {@code "id STRING NOT NULL, `ts` TIMESTAMP(3)"}. */
  static RowType parse(String path, String ddl) {
    List<String> columns = splitColumns(path, ddl);
    StringBuilder row = new StringBuilder("ROW<");
    for (int i = 0; i < columns.size(); i++) {
      // Flink's ROW syntax writes a column comment as a bare string: `name TYPE 'comment'`.
      String column = COLUMN_COMMENT.matcher(columns.get(i)).replaceFirst("$1 $2");
      row.append(i == 0 ? "" : ", ");
      if (column.startsWith("`")) {
        row.append(column);
      } else {
        int space = firstWhitespace(column);
        if (space < 0) {
          throw AutoLoaderErrors.badSchemaDdl(path, ddl, "column '" + column + "' has no type");
        }
        row.append('`').append(column, 0, space).append('`').append(column.substring(space));
      }
    }
    row.append('>');
    LogicalType type;
    try {
      type = LogicalTypeParser.parse(row.toString(), SchemaDdl.class.getClassLoader());
    } catch (ValidationException | IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      int inputLine = message.indexOf("\n");
      String reason = (inputLine < 0 ? message : message.substring(0, inputLine)).trim();
      throw AutoLoaderErrors.badSchemaDdl(
          path, ddl, reason.endsWith(".") ? reason.substring(0, reason.length() - 1) : reason);
    }
    RowType rowType = (RowType) type;
    List<String> unknown = new ArrayList<>();
    for (RowType.RowField field : rowType.getFields()) {
      if (field.getType().getTypeRoot() == LogicalTypeRoot.UNRESOLVED) {
        unknown.add(field.getName() + " " + field.getType().asSummaryString());
      }
    }
    if (!unknown.isEmpty()) {
      throw AutoLoaderErrors.badSchemaDdl(path, ddl, "unknown types in " + unknown);
    }
    List<String> unsupported = ValueConverter.unsupportedColumns(rowType);
    if (!unsupported.isEmpty()) {
      throw AutoLoaderErrors.unsupportedColumnTypes(path, unsupported);
    }
    return rowType;
  }

  private static List<String> splitColumns(String path, String ddl) {
    List<String> columns = new ArrayList<>();
    int depth = 0;
    char quote = 0;
    int start = 0;
    for (int i = 0; i < ddl.length(); i++) {
      char c = ddl.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '`' || c == '\'') {
        quote = c;
      } else if (c == '(' || c == '<') {
        depth++;
      } else if (c == ')' || c == '>') {
        depth--;
      } else if (c == ',' && depth == 0) {
        columns.add(ddl.substring(start, i).trim());
        start = i + 1;
      }
    }
    columns.add(ddl.substring(start).trim());
    for (String column : columns) {
      if (column.isEmpty()) {
        throw AutoLoaderErrors.badSchemaDdl(path, ddl, "it has an empty column definition");
      }
    }
    return columns;
  }

  private static int firstWhitespace(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isWhitespace(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
