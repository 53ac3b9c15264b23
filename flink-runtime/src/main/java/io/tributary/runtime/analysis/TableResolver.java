package io.tributary.runtime.analysis;

import io.tributary.dsl.Source;
import org.apache.flink.table.api.Table;

/**
 * Hands out the tables a dataset's query reads. The analyzer's resolver returns placeholders with
 * the upstream schemas (analyzing an upstream dataset first when a query reads it before it is
 * known); the translator's returns the real tables of a job.
 */
public interface TableResolver {

  /** The snapshot of {@code dataset}. */
  Table snapshot(String dataset);

  /** The stream of {@code dataset}. */
  Table stream(String dataset);

  /**
   * Registers (once) the lookup-capable table of persisted {@code dataset}, the dimension of a lookup
   * join, and returns its quoted SQL name ({@code `dataset$lookup`}).
   */
  String lookup(String dataset);

  /** The rows of an external source feeding {@code dataset}. */
  Table source(String dataset, Source source);
}
