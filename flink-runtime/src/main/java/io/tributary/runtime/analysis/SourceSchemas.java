package io.tributary.runtime.analysis;

import io.tributary.dsl.Source;
import org.apache.flink.table.types.logical.RowType;

/** Derives the row type an external source produces for a dataset, such as Auto Loader's stored or inferred schema. */
@FunctionalInterface
public interface SourceSchemas {

  /**
   * The row type {@code source} produces for {@code dataset}.
   *
   * @throws RuntimeException with a message naming the source and the fix when it cannot be derived
   */
  RowType schemaOf(String dataset, Source source);
}
