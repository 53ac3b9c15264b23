package io.tributary.runtime.source;

import java.nio.charset.StandardCharsets;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;

/** Plain text: every line, blank ones too, is a row with one {@code value} column. */
final class TextLineParser extends LineParser {

  TextLineParser(AutoLoaderOptions options, RowType type, String sourceId, String filePath) {
    super(options, type, sourceId, filePath);
  }

  @Override
  RowData parse(byte[] line, long lineNumber) {
    GenericRowData row = new GenericRowData(layout.arity());
    row.setField(0, StringData.fromString(new String(line, StandardCharsets.UTF_8)));
    return row;
  }
}
