package io.tributary.runtime.translate;

import io.tributary.dsl.DeltaSource;
import io.tributary.dsl.Source;
import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.runtime.catalog.DeltaTableFactory;
import io.tributary.runtime.delta.read.DeltaLookupFunction;
import io.tributary.runtime.delta.read.DeltaSnapshotSource;
import io.tributary.runtime.delta.read.DeltaStreamSource;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.delta.write.AfterCommit;
import io.tributary.runtime.delta.write.DeltaSink;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import io.tributary.runtime.maintenance.AutoCompactSettings;
import io.tributary.runtime.maintenance.AutoCompaction;
import io.tributary.runtime.storage.PipelineStorage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.utils.TypeConversions;

/**
 * The production {@link JobIo}: each kind of source through its translator ({@link AutoLoaderTranslator},
 * {@link DeltaSourceTranslator}), persisted datasets as Delta tables under
 * the pipeline's storage. Streaming tables append one commit per epoch; materialized tables are
 * replaced in one commit whose transaction version is {@link JobContext#overwriteVersion()} (the
 * update's number and, in continuous mode, the recomputation), so a rerun of the same job commits
 * nothing twice; applyChanges targets are changed by key, one commit per epoch.
 */
public final class DeltaJobIo implements JobIo {

  private final PipelineStorage storage;
  private final AutoLoaderTranslator autoLoaders;
  private final DeltaSourceTranslator deltaSources;

  public DeltaJobIo(PipelineStorage storage) {
    this.storage = storage;
    this.autoLoaders = new AutoLoaderTranslator(storage);
    this.deltaSources = new DeltaSourceTranslator(storage);
  }

  /** Each kind of source by its own translator. */
  @Override
  public SourceStream readSource(
      StreamExecutionEnvironment env,
      JobContext job,
      String dataset,
      Source source,
      RowType rowType) {
    return source.match(
        autoLoader -> autoLoaders.read(env, job, dataset, autoLoader, rowType),
        delta -> deltaSources.read(env, job, dataset, delta, rowType));
  }

  @Override
  public SourceStream readSnapshot(
      StreamExecutionEnvironment env, JobContext job, String dataset, RowType rowType) {
    String path = storage.tablePath(dataset);
    String sourceId = job.uid(dataset, "snapshot-of-" + job.job().name());
    DeltaSnapshotSource source =
        job.bounded()
            ? DeltaSnapshotSource.bounded(path, rowType).withHadoop(storage.settings())
            : DeltaSnapshotSource.unbounded(path, rowType, job.runId(), sourceId)
                .withHadoop(storage.settings());
    DataStream<RowData> rows =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), dataset + ": snapshot")
            .uid(sourceId);
    return new SourceStream(rows, job.bounded() ? Optional.empty() : Optional.of(sourceId));
  }

  /**
   * The dataset's Delta table read by {@link DeltaStreamSource}, as a {@code DeltaSource} is: each
   * new version's added files once, positions in the job's state under a uid of the reader.
   */
  @Override
  public SourceStream readTable(
      StreamExecutionEnvironment env,
      JobContext job,
      String reader,
      String dataset,
      RowType rowType) {
    String sourceId = job.uid(reader, "reads-" + dataset);
    DeltaSource table = DeltaSource.path(storage.tablePath(dataset));
    DeltaStreamSource stream =
        (job.continuous()
                ? DeltaStreamSource.continuous(
                    table, rowType, job.runId(), sourceId, job.triggerInterval())
                : DeltaStreamSource.triggered(table, rowType, job.runId(), sourceId))
            .withHadoop(storage.settings());
    DataStream<RowData> rows =
        env.fromSource(
                stream, WatermarkStrategy.noWatermarks(), reader + ": new rows of " + dataset)
            .uid(sourceId);
    return new SourceStream(rows, job.continuous() ? Optional.empty() : Optional.of(sourceId));
  }

  /**
   * In a BATCH job, the dataset's Delta table through the {@code tributary-delta} connector, whose
   * projection push-down reads only the columns the query uses.
   */
  @Override
  public Optional<TableDescriptor> snapshotTable(JobContext job, String dataset, RowType rowType) {
    if (!job.bounded()) {
      return Optional.empty();
    }
    TableDescriptor.Builder table =
        TableDescriptor.forConnector(DeltaTableFactory.IDENTIFIER)
            .schema(
                Schema.newBuilder()
                    .fromRowDataType(TypeConversions.fromLogicalToDataType(rowType))
                    .build())
            .option(DeltaTableFactory.PATH, storage.tablePath(dataset));
    storage
        .settings()
        .entries()
        .forEach((key, value) -> table.option(DeltaTableFactory.HADOOP_PREFIX + key, value));
    return Optional.of(table.build());
  }

  /**
   * The dataset's Delta table through the {@code tributary-delta} connector. A table not created yet
   * is looked up as empty until it is: in a continuous update, and in a job that writes the table
   * itself, the reader may start before the table's first commit.
   */
  @Override
  public TableDescriptor lookupTable(
      JobContext job, String dataset, RowType rowType, Duration refreshInterval) {
    TableDescriptor.Builder table =
        TableDescriptor.forConnector(DeltaTableFactory.IDENTIFIER)
            .schema(
                Schema.newBuilder()
                    .fromRowDataType(TypeConversions.fromLogicalToDataType(rowType))
                    .build())
            .option(DeltaTableFactory.PATH, storage.tablePath(dataset))
            .option(DeltaTableFactory.LOOKUP_REFRESH_INTERVAL, refreshInterval)
            .option(DeltaTableFactory.LOOKUP_MISSING_TABLE, DeltaLookupFunction.MissingTable.EMPTY);
    storage
        .settings()
        .entries()
        .forEach((key, value) -> table.option(DeltaTableFactory.HADOOP_PREFIX + key, value));
    return table.build();
  }

  @Override
  public Optional<Map<String, String>> tableProperties(JobContext job, String dataset) {
    return DeltaTableReader.properties(storage.tablePath(dataset), storage.hadoopConf());
  }

  @Override
  public void write(
      DataStream<RowData> rows, JobContext job, DatasetSpec dataset, RowType rowType) {
    write(rows, job, dataset, rowType, AutoCompactSettings.DEFAULT.withEnabled(false));
  }

  @Override
  public void write(
      DataStream<RowData> rows,
      JobContext job,
      DatasetSpec dataset,
      RowType rowType,
      AutoCompactSettings autoCompact) {
    String path = storage.tablePath(dataset.name());
    DeltaWriteSpec spec =
        dataset.kind() == DatasetKind.MATERIALIZED_TABLE
            ? DeltaWriteSpec.overwrite(
                path, rowType, job.appId(dataset.name()), job.overwriteVersion())
            : DeltaWriteSpec.append(path, rowType, job.appId(dataset.name()));
    spec =
        spec.withPartitionColumns(dataset.partitionColumns())
            .withProperties(dataset.properties())
            .withHadoop(storage.settings());
    if (dataset.comment().isPresent()) {
      spec = spec.withComment(dataset.comment().get());
    }
    AfterCommit afterCommit =
        dataset.kind() != DatasetKind.STREAMING_TABLE
            ? null
            : AutoCompaction.of(storage, job, dataset.name(), dataset.properties(), autoCompact)
                .orElse(null);
    DeltaSink.write(
        rows,
        spec,
        job.uid(dataset.name(), "delta"),
        io.tributary.runtime.eventlog.CommitProgress.of(storage, job, dataset.name()),
        afterCommit);
  }

  @Override
  public void writeChanges(
      DataStream<RowData> changes,
      JobContext job,
      DatasetSpec dataset,
      RowType rowType,
      List<String> keys) {
    DeltaWriteSpec spec =
        DeltaWriteSpec.upsert(
                storage.tablePath(dataset.name()), rowType, job.appId(dataset.name()), keys)
            .withProperties(dataset.properties())
            .withHadoop(storage.settings());
    if (dataset.comment().isPresent()) {
      spec = spec.withComment(dataset.comment().get());
    }
    DeltaSink.upsert(
        changes,
        spec,
        job.uid(dataset.name(), "delta"),
        io.tributary.runtime.eventlog.CommitProgress.of(storage, job, dataset.name()));
  }
}
