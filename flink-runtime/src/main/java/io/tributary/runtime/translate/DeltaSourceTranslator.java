package io.tributary.runtime.translate;

import io.tributary.dsl.DeltaSource;
import io.tributary.runtime.delta.read.DeltaSnapshotSource;
import io.tributary.runtime.delta.read.DeltaStreamSource;
import io.tributary.runtime.storage.PipelineStorage;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * A Delta table outside the pipeline ({@link DeltaSource}): in a BATCH job (a materialized table) its
 * latest snapshot, in a STREAMING job its new data version by version ({@link DeltaStreamSource}).
 */
final class DeltaSourceTranslator implements SourceTranslator<DeltaSource> {

  private final PipelineStorage storage;

  DeltaSourceTranslator(PipelineStorage storage) {
    this.storage = storage;
  }

  @Override
  public JobIo.SourceStream read(
      StreamExecutionEnvironment env,
      JobContext job,
      String dataset,
      DeltaSource delta,
      RowType rowType) {
    String sourceId = job.uid(dataset, "source");
    if (job.bounded()) {
      DataStream<RowData> rows =
          env.fromSource(
                  DeltaSnapshotSource.bounded(delta.path(), rowType).withHadoop(storage.settings()),
                  WatermarkStrategy.noWatermarks(),
                  dataset + ": " + delta.describe())
              .uid(sourceId);
      return new JobIo.SourceStream(rows, Optional.empty());
    }
    DeltaStreamSource stream =
        job.continuous()
            ? DeltaStreamSource.continuous(
                delta, rowType, job.runId(), sourceId, job.triggerInterval())
            : DeltaStreamSource.triggered(delta, rowType, job.runId(), sourceId);
    stream = stream.withHadoop(storage.settings());
    DataStream<RowData> rows =
        env.fromSource(stream, WatermarkStrategy.noWatermarks(), dataset + ": " + delta.describe())
            .uid(sourceId);
    return new JobIo.SourceStream(
        rows, job.continuous() ? Optional.empty() : Optional.of(sourceId));
  }
}
