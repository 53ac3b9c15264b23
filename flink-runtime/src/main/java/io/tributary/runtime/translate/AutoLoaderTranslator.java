package io.tributary.runtime.translate;

import io.tributary.dsl.AutoLoader;
import io.tributary.runtime.source.AutoLoaderSource;
import io.tributary.runtime.storage.PipelineStorage;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * An {@link AutoLoader} source: in a STREAMING job {@link AutoLoaderSource}, each file once across
 * updates (triggered: to what is there at the start; continuous: until stopped); in a BATCH job (a
 * materialized table) every file at each computation, without processed-files state.
 */
final class AutoLoaderTranslator implements SourceTranslator<AutoLoader> {

  private final PipelineStorage storage;

  AutoLoaderTranslator(PipelineStorage storage) {
    this.storage = storage;
  }

  @Override
  public JobIo.SourceStream read(
      StreamExecutionEnvironment env,
      JobContext job,
      String dataset,
      AutoLoader autoLoader,
      RowType rowType) {
    String sourceId = job.uid(dataset, "source");
    if (job.bounded()) {
      DataStream<RowData> rows =
          env.fromSource(
                  AutoLoaderSource.allFiles(
                      autoLoader,
                      rowType,
                      sourceId,
                      storage.schemaLocation(dataset),
                      storage.settings()),
                  WatermarkStrategy.noWatermarks(),
                  dataset + ": " + autoLoader.describe())
              .uid(sourceId);
      return new JobIo.SourceStream(rows, Optional.empty());
    }
    AutoLoaderSource files =
        job.continuous()
            ? AutoLoaderSource.continuous(
                autoLoader, rowType, job.runId(), sourceId, job.triggerInterval())
            : AutoLoaderSource.triggered(autoLoader, rowType, job.runId(), sourceId);
    // addNewColumns stores the evolved schema where analysis resolves it, so the restarted flow
    // reads it
    files =
        files.withSchemaLocation(storage.schemaLocation(dataset)).withHadoop(storage.settings());
    DataStream<RowData> rows =
        env.fromSource(
                files,
                AutoLoaderSource.watermarkStrategy(autoLoader, rowType),
                dataset + ": " + autoLoader.describe())
            .uid(sourceId);
    return new JobIo.SourceStream(
        rows, job.continuous() ? Optional.empty() : Optional.of(sourceId));
  }
}
