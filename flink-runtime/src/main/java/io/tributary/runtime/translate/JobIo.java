package io.tributary.runtime.translate;

import io.tributary.dsl.Source;
import io.tributary.dsl.plan.DatasetSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Where a job's rows come from and go to: the seam between translation and storage. Production
 * reads files with Auto Loader and reads and writes Delta tables; a test driver can plug in memory.
 */
public interface JobIo {

  /** The rows of an external source feeding {@code dataset}. */
  SourceStream readSource(
      StreamExecutionEnvironment env,
      JobContext job,
      String dataset,
      Source source,
      RowType rowType);

  /** The snapshot of persisted {@code dataset} as of now: bounded in a BATCH job, idle once read in a STREAMING one. */
  SourceStream readSnapshot(
      StreamExecutionEnvironment env, JobContext job, String dataset, RowType rowType);

  /**
   * The snapshot of persisted {@code dataset} as a table source the planner can push the used columns
   * into, so a BATCH job reads only the Parquet columns its query needs; empty where the snapshot is
   * read as a stream ({@link #readSnapshot}), as in STREAMING jobs and drivers that hold rows in memory.
   */
  default Optional<TableDescriptor> snapshotTable(JobContext job, String dataset, RowType rowType) {
    return Optional.empty();
  }

  /**
   * The rows committed to persisted {@code dataset}'s table, version after version from where the
   * job's state left off (from its first version in a job without state): the input of an incremental
   * materialized table, read by {@code reader}. Caught up once it has read the versions there were.
   * {@code rowType} holds the columns {@code reader}'s query uses, in the table's order: only these
   * are read.
   */
  default SourceStream readTable(
      StreamExecutionEnvironment env,
      JobContext job,
      String reader,
      String dataset,
      RowType rowType) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName()
            + " reads no table as a stream; '"
            + reader
            + "' reads '"
            + dataset
            + "' incrementally in job "
            + job.job().name());
  }

  /**
   * The lookup-capable table of persisted {@code dataset}, the dimension of a lookup join: each lookup
   * meets the table's latest version, checked for a newer one at most every {@code refreshInterval}.
   */
  default TableDescriptor lookupTable(
      JobContext job, String dataset, RowType rowType, Duration refreshInterval) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName()
            + " serves no lookup joins; dataset '"
            + dataset
            + "' is looked up in job "
            + job.job().name());
  }

  /** Writes {@code rows} to {@code dataset}: appends for a streaming table, one atomic overwrite for a table. */
  void write(DataStream<RowData> rows, JobContext job, DatasetSpec dataset, RowType rowType);

  /**
   * As {@link #write(DataStream, JobContext, DatasetSpec, RowType)}, compacting a streaming table's
   * small files in the background of a continuous update as {@code autoCompact} asks; an I/O without
   * compaction ignores it.
   */
  default void write(
      DataStream<RowData> rows,
      JobContext job,
      DatasetSpec dataset,
      RowType rowType,
      io.tributary.runtime.maintenance.AutoCompactSettings autoCompact) {
    write(rows, job, dataset, rowType);
  }

  /**
   * Applies {@code changes} to {@code dataset}, an applyChanges target: INSERT and UPDATE_AFTER rows
   * upsert by {@code keys}, DELETE rows delete; one commit per epoch.
   */
  void writeChanges(
      DataStream<RowData> changes,
      JobContext job,
      DatasetSpec dataset,
      RowType rowType,
      List<String> keys);

  /**
   * The properties of {@code dataset}'s table, or empty when it has no table yet. An
   * applyChangesFromSnapshot flow finds there the last snapshot version its commits applied; the
   * default (no table) suits drivers whose tables do not outlive a run.
   */
  default Optional<java.util.Map<String, String>> tableProperties(JobContext job, String dataset) {
    return Optional.empty();
  }

  /**
   * A source's rows and, in a STREAMING job, the id under which it reports that it has caught up
   * (the runner stops the job with a savepoint once every source has).
   */
  record SourceStream(DataStream<RowData> rows, Optional<String> caughtUpId) {}
}
