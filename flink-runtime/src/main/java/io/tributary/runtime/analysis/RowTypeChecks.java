package io.tributary.runtime.analysis;

import io.tributary.dsl.plan.DatasetSpec;
import java.util.List;
import org.apache.flink.table.types.logical.RowType;

/**
 * What a table's settings ask of the row type its query produces, shared by a table with a query
 * and one fed by append flows: the {@code dropDuplicates} keys are columns, and which row type a
 * table with a declared schema keeps.
 */
final class RowTypeChecks {

  private RowTypeChecks() {}

  /**
   * Whether the table's rows are an external source's, read with the table's row type: its declared
   * schema is checked, but the source's column order and nullability are kept.
   */
  static boolean readsSourceDirectly(DatasetSpec dataset) {
    return dataset
        .query()
        .map(query -> query.match(read -> false, source -> true, api -> false, sql -> false))
        .orElse(false);
  }

  static void checkDropDuplicates(
      DatasetSpec dataset, RowType rowType, List<String> datasetProblems) {
    for (String key : dataset.dropDuplicatesKeys()) {
      if (!rowType.getFieldNames().contains(key)) {
        datasetProblems.add(
            "Dataset '"
                + dataset.name()
                + "': dropDuplicates names column '"
                + key
                + "', which the query does not produce. Available columns: "
                + rowType.getFieldNames()
                + ". Check the names passed to dropDuplicates().");
      }
    }
  }
}
