package io.tributary.runtime.translate;

import io.tributary.dsl.Source;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.types.logical.RowType;

/**
 * Reads one kind of {@link Source} in a job: one implementation per permitted kind, chosen by
 * {@link Source#match} in {@link DeltaJobIo}. A source's uid ({@code <dataset>/source} with its state
 * generation) holds its saved position, so a translator keeps it.
 */
interface SourceTranslator<S extends Source> {

  /**
   * The rows {@code source} gives {@code dataset} in {@code job}: all of them in a BATCH job, what is
   * new in a STREAMING one (with the id of the caught-up signal a triggered update waits for).
   */
  JobIo.SourceStream read(
      StreamExecutionEnvironment env, JobContext job, String dataset, S source, RowType rowType);
}
