package io.tributary.dsl;

import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;

/**
 * What a {@code query(ctx -> …)} lambda reads its inputs from. Each read names a dataset of the
 * pipeline and says how it is read; the reads are the flow's dependencies.
 *
 * <pre>{@code
 * p.streamingTable("silver_enriched_events").query(ctx ->
 *     ctx.readStream("bronze_events")
 *         .leftOuterJoin(ctx.read("dim_users"), $("user_id").isEqual($("dim_user_id"))));
 * }</pre>
 */
public interface QueryContext {

  /** The full contents of {@code dataset} as of this update (DLT's {@code dlt.read}). */
  Table read(String dataset);

  /** The rows of {@code dataset} that are new since this flow last read it (DLT's {@code dlt.read_stream}). */
  Table readStream(String dataset);

  /** The Flink table environment, for functions such as {@code fromValues} or a user-defined function. */
  TableEnvironment tableEnvironment();

  /** A value of the pipeline's configuration, or {@code defaultValue}. */
  String conf(String key, String defaultValue);
}
