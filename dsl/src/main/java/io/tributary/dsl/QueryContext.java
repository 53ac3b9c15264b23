package io.tributary.dsl;

import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;

/**
 * What a {@code query(ctx -> …)} lambda reads its inputs from. Each read names a dataset of the
 * pipeline and says how it is read; the reads are the flow's dependencies.
 *
 * <p>A stream joined with a table (DLT's stream-static join, {@code events.join(users, "user_id",
 * "left")}) is a lookup join: each new row of the stream meets the table's latest version.
 *
 * <pre>{@code
 * p.streamingTable("silver_enriched_events").query(ctx ->
 *     ctx.leftLookupJoin(ctx.readStream("bronze_events"), "dim_users", "user_id"));
 * }</pre>
 */
public interface QueryContext {

  /** The full contents of {@code dataset} as of this update (DLT's {@code dlt.read}). */
  Table read(String dataset);

  /** The rows of {@code dataset} that are new since this flow last read it (DLT's {@code dlt.read_stream}). */
  Table readStream(String dataset);

  /**
   * Each row of {@code stream} joined with the rows of table {@code dataset} that have the same
   * values in the columns {@code keys} (an inner join: a row without a match is dropped), as DLT's
   * {@code stream.join(dlt.read(dataset), keys)}. The table is read as of its latest version when
   * the row is processed, not when the flow started: a Flink lookup join, which keeps no state, so
   * rows joined earlier are never revised. The columns are those of {@code stream}, then those of
   * {@code dataset} except the keys; a column both have that is not a key is an error.
   *
   * @param dataset a table or streaming table of the pipeline (a view has no stored rows to look up)
   * @param keys columns of both the stream and {@code dataset}, at least one
   */
  Table lookupJoin(Table stream, String dataset, String... keys);

  /**
   * As {@link #lookupJoin}, but a row of {@code stream} without a match is kept, with NULL in the
   * columns of {@code dataset} (DLT's {@code stream.join(dlt.read(dataset), keys, "left")}).
   */
  Table leftLookupJoin(Table stream, String dataset, String... keys);

  /** The Flink table environment, for functions such as {@code fromValues} or a user-defined function. */
  TableEnvironment tableEnvironment();

  /** A value of the pipeline's configuration, or {@code defaultValue}. */
  String conf(String key, String defaultValue);
}
