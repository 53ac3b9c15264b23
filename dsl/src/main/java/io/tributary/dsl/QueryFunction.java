package io.tributary.dsl;

import org.apache.flink.table.api.Table;

/** A dataset's query written with Flink's Table API; see {@link QueryContext}. */
@FunctionalInterface
public interface QueryFunction {

  /** Builds the dataset's rows from the inputs read through {@code ctx}. */
  Table apply(QueryContext ctx);
}
