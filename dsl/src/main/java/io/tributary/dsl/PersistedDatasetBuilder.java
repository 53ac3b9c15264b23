package io.tributary.dsl;

import io.tributary.dsl.plan.DatasetSpec;
import java.util.List;
import java.util.Objects;

/** The calls of datasets that are stored as Delta tables: properties, partitioning, a declared schema. */
public abstract sealed class PersistedDatasetBuilder<SELF extends PersistedDatasetBuilder<SELF>>
    extends DatasetBuilder<SELF> permits TableBuilder, StreamingTableBuilder {

  PersistedDatasetBuilder(Pipeline pipeline, int index) {
    super(pipeline, index);
  }

  /** A property stored in the Delta table's metadata, such as {@code quality=silver}. */
  public SELF tableProperty(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return update(spec -> spec.withProperty(key, value));
  }

  /** Partitions the Delta table by these columns (DLT's {@code partition_cols}). */
  public SELF partitionBy(String... columns) {
    List<String> list = List.of(columns);
    return update(spec -> spec.withPartitionColumns(list));
  }

  /**
   * Keeps the rows this dataset's {@code expectOrDrop} expectations drop, with the names of the
   * expectations each failed, in the companion Delta table {@code <name>_quarantine}: nothing the
   * pipeline drops is lost.
   */
  public SELF quarantine() {
    return update(DatasetSpec::withQuarantine);
  }

  /**
   * Declares the table's schema as a Flink SQL column list (DLT's {@code schema=}), enforced at
   * validation. For example:
   *
   * <pre>{@code
   * p.table("totals").sql("SELECT customer_id, SUM(amount) AS total FROM orders GROUP BY customer_id")
   *     .schema("total DECIMAL(12, 2), customer_id STRING NOT NULL COMMENT 'who ordered'");
   * }</pre>
   *
   * <p>The query must produce exactly the declared columns (by name, in any order), each of the
   * declared type; otherwise validation reports every missing, extra and mistyped column (a
   * different type needs a {@code CAST} in the query). Nullability may differ: the table takes the
   * declared one, and a declared {@code NOT NULL} on a column the query may leave null fails the flow
   * when a null arrives. The table's columns are in the declared order; a column {@code COMMENT} is
   * accepted and not kept (Delta does not store it). Only plain columns: no computed column, watermark or primary
   * key. Limits: a table that reads an external source directly ({@code from(AutoLoader…)},
   * {@code from(DeltaSource…)}) and the target of {@code applyChanges} or
   * {@code applyChangesFromSnapshot} are checked but keep the columns their source or flow gives
   * them, order and nullability included.
   */
  public SELF schema(String ddl) {
    Objects.requireNonNull(ddl, "ddl");
    return update(spec -> spec.withSchemaDdl(ddl));
  }
}
