package io.tributary.runtime.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/** JSON lines: one object per line; fields matched to columns by exact name. */
final class JsonLineParser extends LineParser {

  /** Reads the flat lines most files hold without Jackson; the others come here. */
  private final FlatJsonReader flat;

  JsonLineParser(AutoLoaderOptions options, RowType type, String sourceId, String filePath) {
    super(options, type, sourceId, filePath);
    this.flat = new FlatJsonReader(layout);
  }

  /** Input limits for one record: a line may hold a single value of up to 1 GiB. */
  static final StreamReadConstraints LARGE_VALUES =
      StreamReadConstraints.builder().maxStringLength(1 << 30).maxDocumentLength(-1).build();

  static ObjectMapper newMapper() {
    // Big decimals keep a number's text ("1.50" stays "1.50" in a STRING column or in rescued
    // data);
    // trailing tokens make "{...} garbage" malformed instead of silently cut; Jackson's default 20
    // MB cap
    // on one string value would turn a legitimate large field into a corrupt record.
    JsonFactory factory = JsonFactory.builder().streamReadConstraints(LARGE_VALUES).build();
    return new ObjectMapper(factory)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
  }

  @Override
  RowData parse(byte[] line, long lineNumber) {
    if (isBlank(line)) {
      return null;
    }
    GenericRowData flatRow = flat.read(line);
    return flatRow != null ? flatRow : parseTree(line, lineNumber);
  }

  /** The row of {@code line} as Jackson's tree of it gives: every line, whatever it holds. */
  RowData parseTree(byte[] line, long lineNumber) {
    if (isBlank(line)) {
      return null;
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      return corrupt(line, lineNumber, e.getOriginalMessage());
    } catch (IOException e) {
      return corrupt(line, lineNumber, String.valueOf(e.getMessage()));
    }
    if (tree == null || !tree.isObject()) {
      return corrupt(
          line,
          lineNumber,
          "the line is "
              + (tree == null
                  ? "empty"
                  : "a JSON " + tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT))
              + ", not a JSON object");
    }
    GenericRowData row = new GenericRowData(layout.arity());
    Rescue rescue = new Rescue(lineNumber);
    Iterator<Map.Entry<String, JsonNode>> fields = tree.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      int column = layout.indexOf(field.getKey());
      if (column < 0) {
        rescue.unknown(field.getKey(), field.getValue());
        continue;
      }
      Object value = ValueConverter.fromJson(field.getValue(), layout.typeAt(column));
      if (value == ValueConverter.MISMATCH) {
        rescue.mismatch(column, field.getKey(), field.getValue());
      } else {
        row.setField(column, value);
      }
    }
    return rescue.finish(row);
  }
}
