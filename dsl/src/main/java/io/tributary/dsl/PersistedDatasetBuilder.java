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
   * Declares the table's schema as a Flink SQL column list; the query's rows must match it. For
   * example {@code "order_id STRING NOT NULL, total_amount DECIMAL(10, 2)"}.
   */
  public SELF schema(String ddl) {
    Objects.requireNonNull(ddl, "ddl");
    return update(spec -> spec.withSchemaDdl(ddl));
  }
}
