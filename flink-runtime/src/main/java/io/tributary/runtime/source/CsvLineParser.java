package io.tributary.runtime.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * CSV, one record per line (multi-line quoted values are not supported, as Auto Loader's default).
 * With {@code header=true} the first line names the columns and fields are matched by name;
 * otherwise by position. A field past the last column is rescued as {@code _c<index>}.
 */
final class CsvLineParser extends LineParser {

  private static final CsvMapper CSV =
      new CsvMapper(
          CsvFactory.builder().streamReadConstraints(JsonLineParser.LARGE_VALUES).build());

  private final ObjectReader reader;
  private String[] header;

  CsvLineParser(AutoLoaderOptions options, RowType type, String sourceId, String filePath) {
    super(options, type, sourceId, filePath);
    this.reader = reader(options);
  }

  static ObjectReader reader(AutoLoaderOptions options) {
    CsvSchema schema =
        CsvSchema.emptySchema()
            .withColumnSeparator(options.delimiter())
            .withQuoteChar(options.quote())
            .withEscapeChar(options.escape());
    return CSV.readerFor(String[].class).with(schema);
  }

  /** The fields of one CSV line; Jackson's message when it is malformed. */
  static String[] split(ObjectReader reader, byte[] line) throws IOException {
    return reader.readValue(new String(line, StandardCharsets.UTF_8));
  }

  @Override
  void skip(byte[] line, long lineNumber) {
    parse(line, lineNumber);
  }

  @Override
  RowData parse(byte[] line, long lineNumber) {
    if (isBlank(line)) {
      return null;
    }
    String[] values;
    try {
      values = split(reader, line);
    } catch (JsonProcessingException e) {
      if (options.header() && header == null) {
        throw AutoLoaderErrors.malformedRecord(
            sourceId,
            filePath,
            lineNumber,
            "the header line cannot be parsed: " + e.getOriginalMessage(),
            layout.rescuedName());
      }
      return corrupt(line, lineNumber, e.getOriginalMessage());
    } catch (IOException e) {
      return corrupt(line, lineNumber, String.valueOf(e.getMessage()));
    }
    if (options.header() && header == null) {
      header = values;
      return null;
    }
    GenericRowData row = new GenericRowData(layout.arity());
    Rescue rescue = new Rescue(lineNumber);
    for (int i = 0; i < values.length; i++) {
      String name;
      int column;
      if (options.header()) {
        name = i < header.length ? header[i] : "_c" + i;
        column = i < header.length ? layout.indexOf(name) : -1;
      } else {
        column = i < layout.dataColumns() ? i : -1;
        name = column >= 0 ? layout.nameAt(column) : "_c" + i;
      }
      if (column < 0) {
        rescue.unknown(name, TextNode.valueOf(values[i]));
        continue;
      }
      Object value = ValueConverter.fromText(values[i], layout.typeAt(column));
      if (value == ValueConverter.MISMATCH) {
        rescue.mismatch(column, name, TextNode.valueOf(values[i]));
      } else {
        row.setField(column, value);
      }
    }
    return rescue.finish(row);
  }
}
