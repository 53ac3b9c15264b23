package io.tributary.runtime.analysis;

import io.tributary.dsl.Source;
import org.apache.flink.table.api.Table;

/**
 * Hands out the tables a dataset's query reads. The analyzer's resolver returns placeholders with
 * the upstream schemas; the translator's returns the real tables of a job.
 */
public interface TableResolver {

  /** The snapshot of {@code dataset}; throws {@link NotYetResolvedException} if it is not known yet. */
  Table snapshot(String dataset);

  /** The stream of {@code dataset}; throws {@link NotYetResolvedException} if it is not known yet. */
  Table stream(String dataset);

  /**
   * Registers (once) the lookup-capable table of persisted {@code dataset}, the dimension of a lookup
   * join, and returns its quoted SQL name ({@code `dataset$lookup`}); throws
   * {@link NotYetResolvedException} if it is not known yet.
   */
  String lookup(String dataset);

  /** The rows of an external source feeding {@code dataset}. */
  Table source(String dataset, Source source);

  /** Thrown when a query reads a dataset whose schema is not derived yet: analysis retries it later. */
  final class NotYetResolvedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String dataset;

    public NotYetResolvedException(String dataset) {
      super("dataset " + dataset + " is not resolved yet", null, false, false);
      this.dataset = dataset;
    }

    public String dataset() {
      return dataset;
    }
  }
}
