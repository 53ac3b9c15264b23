package io.tributary.runtime.translate;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.conversion.RowRowConverter;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

/**
 * The planner's changelog of an incremental materialized table as the keyed writer takes it: each
 * row in the internal format with its kind, an UPDATE_BEFORE as a DELETE of its key. The writer
 * ignores UPDATE_BEFORE (the UPDATE_AFTER of the key replaces the row), but a filter after an
 * aggregation ({@code HAVING}) lets a retraction through without its UPDATE_AFTER when the new value
 * fails the filter: then the key must go. A DELETE followed by the key's UPDATE_AFTER, in order on the
 * key's one path, upserts it. The rows are converted with the query's own data type: its columns'
 * classes are those the planner hands out (a DATE read from a table arrives as an Integer, not a
 * LocalDate). Holds no state.
 */
final class ChangelogRows extends RichFlatMapFunction<Row, RowData> {

  private static final long serialVersionUID = 1L;

  private final DataType dataType;
  private transient RowRowConverter converter;

  /** {@code dataType}: the query's physical row type with its conversion classes ({@code ResolvedSchema}). */
  ChangelogRows(DataType dataType) {
    this.dataType = dataType;
  }

  @Override
  public void open(OpenContext openContext) {
    converter = RowRowConverter.create(dataType);
    converter.open(getRuntimeContext().getUserCodeClassLoader());
  }

  @Override
  public void flatMap(Row row, Collector<RowData> out) {
    RowData internal = converter.toInternal(row);
    if (row.getKind() == RowKind.UPDATE_BEFORE) {
      internal.setRowKind(RowKind.DELETE);
    }
    out.collect(internal);
  }
}
