package io.tributary.cdc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;

/**
 * A target table in memory, built by applying the functions' changelog by target key exactly as the
 * Delta sink does: INSERT and UPDATE_AFTER replace the row with that key, DELETE removes it. For
 * tests and for a driver that runs pipelines without a cluster.
 *
 * <pre>{@code
 * ChangelogTable table = new ChangelogTable(layout);
 * table.applyAll(harness.extractOutputValues());
 * table.rows();
 * }</pre>
 */
public final class ChangelogTable {

  private final RowType type;
  private final int[] keyIndexes;
  private final RowDataSerializer keySerializer;
  private final Map<BinaryRowData, RowData> rows = new LinkedHashMap<>();

  public ChangelogTable(CdcLayout layout) {
    Objects.requireNonNull(layout, "layout");
    this.type = layout.targetType();
    this.keyIndexes = layout.targetKeyIndexes();
    this.keySerializer = new RowDataSerializer(Rows.nullable(project(type, keyIndexes)));
  }

  public void apply(RowData change) {
    BinaryRowData key = keySerializer.toBinaryRow(Rows.project(change, type, keyIndexes)).copy();
    switch (change.getRowKind()) {
      case INSERT, UPDATE_AFTER -> {
        GenericRowData row = Rows.copy(change, type);
        row.setRowKind(RowKind.INSERT);
        rows.put(key, row);
      }
      case DELETE -> rows.remove(key);
      default ->
          throw new IllegalArgumentException(
              "the CDC changelog has no " + change.getRowKind() + " rows");
    }
  }

  public void applyAll(Collection<? extends RowData> changes) {
    changes.forEach(this::apply);
  }

  /** The table's rows (kind INSERT), in the order their keys first appeared. */
  public List<RowData> rows() {
    return new ArrayList<>(rows.values());
  }

  private static RowType project(RowType type, int[] indexes) {
    List<RowType.RowField> fields = new ArrayList<>();
    for (int i : indexes) {
      fields.add(type.getFields().get(i));
    }
    return new RowType(fields);
  }
}
