package io.tributary.runtime.source;

import io.tributary.dsl.AutoLoader;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.FileSourceSplitSerializer;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;

/**
 * The Flink source behind {@link AutoLoader}: reads every file under the spec's path exactly once, across
 * failures and across triggered updates, as rows of {@code producedType} (from
 * {@link AutoLoaderSchemas#resolve}). It never finishes ({@link Boundedness#CONTINUOUS_UNBOUNDED}): in
 * {@link Mode#TRIGGERED} it reads what was there when the update started and then reports it has
 * caught up, and the runner stops the job with a savepoint; the next update restores that savepoint with
 * a new update id and reads only the files that arrived since.
 *
 * <pre>{@code
 * RowType type = AutoLoaderSchemas.resolve(spec, schemaLocation, hadoopConf);
 * AutoLoaderSource source = AutoLoaderSource.triggered(spec, type, updateId, "bronze_events");
 * CompletableFuture<Void> caughtUp = CaughtUpRegistry.await(updateId, "bronze_events");
 * env.fromSource(source, AutoLoaderSource.watermarkStrategy(spec, type), "bronze_events").uid("bronze_events/source");
 * }</pre>
 */
public final class AutoLoaderSource
    implements Source<RowData, FileSourceSplit, AutoLoaderEnumeratorState>,
        ResultTypeQueryable<RowData> {

  private static final long serialVersionUID = 1L;

  /** How the source discovers files. */
  public enum Mode {
    /** List once at the start of each update, read those files, then report caught up. */
    TRIGGERED,
    /** List every discovery interval, for as long as the job runs. */
    CONTINUOUS
  }

  /**
   * What the enumerator and readers need, serializable (the DSL spec holds an {@code Optional}).
   *
   * @param options parsed reader options
   * @param producedType row type of the produced rows
   * @param updateId the update this job runs for
   * @param sourceId the name used in messages and in {@link CaughtUpRegistry}
   * @param mode triggered or continuous
   * @param discoveryInterval continuous mode: time between listings
   * @param discovery which files are taken in, and how many per epoch
   * @param eventTime the declared watermark, or null when the spec declares none
   */
  record Settings(
      AutoLoaderOptions options,
      RowType producedType,
      String updateId,
      String sourceId,
      Mode mode,
      Duration discoveryInterval,
      DiscoveryOptions discovery,
      @Nullable EventTimeBound eventTime,
      HadoopSettings hadoop)
      implements Serializable {}

  private final Settings settings;

  /**
   * A source for one update.
   *
   * @param spec the DSL's description of the input
   * @param producedType the full row type, {@code _rescued_data} included, from {@link AutoLoaderSchemas#resolve}
   * @param updateId a new id for every update (the enumerator lists the input once per update id)
   * @param sourceId a stable name of the source within the pipeline (used in messages and to await it)
   * @param mode triggered or continuous discovery
   * @param discoveryInterval time between listings in continuous mode (positive; ignored when triggered)
   */
  public AutoLoaderSource(
      AutoLoader spec,
      RowType producedType,
      String updateId,
      String sourceId,
      Mode mode,
      Duration discoveryInterval) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(producedType, "producedType");
    Objects.requireNonNull(updateId, "updateId");
    Objects.requireNonNull(sourceId, "sourceId");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(discoveryInterval, "discoveryInterval");
    if (mode == Mode.CONTINUOUS && (discoveryInterval.isNegative() || discoveryInterval.isZero())) {
      throw new IllegalArgumentException(
          "the discovery interval must be positive, was " + discoveryInterval);
    }
    AutoLoaderOptions options = AutoLoaderOptions.of(spec);
    List<String> unsupported = ValueConverter.unsupportedColumns(producedType);
    if (!unsupported.isEmpty()) {
      throw AutoLoaderErrors.unsupportedColumnTypes(spec.path(), unsupported);
    }
    this.settings =
        new Settings(
            options,
            producedType,
            updateId,
            sourceId,
            mode,
            discoveryInterval,
            AutoLoaderOptions.discovery(spec),
            EventTimeBound.of(spec, producedType).orElse(null),
            HadoopSettings.none());
  }

  private AutoLoaderSource(Settings settings) {
    this.settings = settings;
  }

  /**
   * A copy that evolves the schema stored under {@code schemaLocation} (the directory given to
   * {@link AutoLoaderSchemas#resolve}) when it meets new columns under
   * {@link SchemaEvolutionMode#ADD_NEW_COLUMNS}; without it new columns are rescued.
   */
  public AutoLoaderSource withSchemaLocation(String schemaLocation) {
    Objects.requireNonNull(schemaLocation, "schemaLocation");
    Settings s = settings;
    return new AutoLoaderSource(
        new Settings(
            s.options().withSchemaLocation(schemaLocation),
            s.producedType(),
            s.updateId(),
            s.sourceId(),
            s.mode(),
            s.discoveryInterval(),
            s.discovery(),
            s.eventTime(),
            s.hadoop()));
  }

  /**
   * A copy whose readers open Parquet files through the pipeline's Hadoop settings. Listing and line
   * formats go through Flink's {@code FileSystem}, which falls back to Hadoop (with the cluster's
   * Hadoop configuration) for schemes it has no plugin for, such as {@code hdfs}.
   */
  public AutoLoaderSource withHadoop(HadoopSettings hadoop) {
    Objects.requireNonNull(hadoop, "hadoop");
    Settings s = settings;
    return new AutoLoaderSource(
        new Settings(
            s.options(),
            s.producedType(),
            s.updateId(),
            s.sourceId(),
            s.mode(),
            s.discoveryInterval(),
            s.discovery(),
            s.eventTime(),
            hadoop));
  }

  /** A source that reads what is there when update {@code updateId} starts, then reports caught up. */
  public static AutoLoaderSource triggered(
      AutoLoader spec, RowType producedType, String updateId, String sourceId) {
    return new AutoLoaderSource(
        spec, producedType, updateId, sourceId, Mode.TRIGGERED, Duration.ofSeconds(1));
  }

  /** A source that lists the input every {@code discoveryInterval}. */
  public static AutoLoaderSource continuous(
      AutoLoader spec,
      RowType producedType,
      String updateId,
      String sourceId,
      Duration discoveryInterval) {
    return new AutoLoaderSource(
        spec, producedType, updateId, sourceId, Mode.CONTINUOUS, discoveryInterval);
  }

  /**
   * Every file now under {@code spec}'s path, read once to the end: what a materialized table reads
   * from files at each computation (DLT's {@code spark.read} of a folder, as opposed to the incremental
   * {@code cloudFiles} stream). It keeps no processed-files state; the files are chosen by the same rules
   * as {@link FileDiscovery}'s (hidden names, {@code pathGlobFilter}, {@code recursiveFileLookup}) and
   * {@code modifiedAfter}, and read by the same format (schema, rescued data, corrupt records). Flink's
   * own bounded {@link FileSource} hands the files out.
   *
   * @param schemaLocation where the inferred and evolved schema is kept, as for the incremental source
   */
  public static FileSource<RowData> allFiles(
      AutoLoader spec, RowType producedType, String sourceId, String schemaLocation) {
    return allFiles(spec, producedType, sourceId, schemaLocation, HadoopSettings.none());
  }

  /** As above, opening Parquet files through the pipeline's Hadoop settings. */
  public static FileSource<RowData> allFiles(
      AutoLoader spec,
      RowType producedType,
      String sourceId,
      String schemaLocation,
      HadoopSettings hadoop) {
    AutoLoaderSource checked =
        new AutoLoaderSource(
                spec, producedType, "", sourceId, Mode.TRIGGERED, Duration.ofSeconds(1))
            .withSchemaLocation(schemaLocation)
            .withHadoop(hadoop);
    Settings settings = checked.settings;
    FileDiscovery discovery = FileDiscovery.of(settings.options());
    long modifiedAfter = settings.discovery().modifiedAfter();
    FileEnumerator.Provider files =
        () ->
            (paths, minDesiredSplits) -> {
              List<FileSourceSplit> splits = new ArrayList<>();
              for (DiscoveredFile file : discovery.list()) {
                if (file.modificationTime() > modifiedAfter && file.length() > 0) {
                  splits.add(
                      new FileSourceSplit(
                          file.path(),
                          new Path(file.path()),
                          0,
                          file.length(),
                          file.modificationTime(),
                          file.length()));
                }
              }
              return splits;
            };
    return FileSource.forBulkFileFormat(
            new AutoLoaderBulkFormat(
                settings.options(),
                settings.producedType(),
                settings.sourceId(),
                settings.hadoop()),
            new Path(settings.options().path()))
        .setFileEnumerator(files)
        .build();
  }

  /**
   * The watermark strategy for {@code env.fromSource(source, strategy, name)}: none when the spec declares
   * no watermark; otherwise bounded out-of-orderness by the declared delay on the declared column
   * (TIMESTAMP or TIMESTAMP_LTZ of {@code producedType}). A row whose event time is NULL gets no
   * timestamp and does not move the watermark. A reader emits the watermark its file implies when it
   * finishes the file, before it asks for the next one (so before its source can report caught up), and
   * readers without files mark themselves idle, so they do not hold it back.
   *
   * @throws AutoLoaderException when the column is missing or not a timestamp
   */
  public static WatermarkStrategy<RowData> watermarkStrategy(
      AutoLoader spec, RowType producedType) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(producedType, "producedType");
    Optional<EventTimeBound> bound = EventTimeBound.of(spec, producedType);
    if (bound.isEmpty()) {
      return WatermarkStrategy.noWatermarks();
    }
    EventTimeBound b = bound.get();
    SerializableTimestampAssigner<RowData> assigner = (row, previous) -> b.timestamp(row);
    return WatermarkStrategy.<RowData>forBoundedOutOfOrderness(Duration.ofMillis(b.delayMillis()))
        .withTimestampAssigner(assigner);
  }

  /** The update id this source instance lists for. */
  public String updateId() {
    return settings.updateId();
  }

  /** The source's stable name, the key of {@link CaughtUpRegistry#await}. */
  public String sourceId() {
    return settings.sourceId();
  }

  /** The row type of the produced rows. */
  public RowType producedRowType() {
    return settings.producedType();
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.CONTINUOUS_UNBOUNDED;
  }

  @Override
  public SourceReader<RowData, FileSourceSplit> createReader(SourceReaderContext readerContext) {
    return new AutoLoaderReader(
        readerContext,
        new AutoLoaderBulkFormat(
            settings.options(), settings.producedType(), settings.sourceId(), settings.hadoop()),
        Optional.ofNullable(settings.eventTime()));
  }

  @Override
  public SplitEnumerator<FileSourceSplit, AutoLoaderEnumeratorState> createEnumerator(
      SplitEnumeratorContext<FileSourceSplit> enumContext) {
    return new AutoLoaderEnumerator(enumContext, settings, AutoLoaderEnumeratorState.empty());
  }

  @Override
  public SplitEnumerator<FileSourceSplit, AutoLoaderEnumeratorState> restoreEnumerator(
      SplitEnumeratorContext<FileSourceSplit> enumContext, AutoLoaderEnumeratorState checkpoint) {
    return new AutoLoaderEnumerator(enumContext, settings, checkpoint);
  }

  @Override
  public SimpleVersionedSerializer<FileSourceSplit> getSplitSerializer() {
    return FileSourceSplitSerializer.INSTANCE;
  }

  @Override
  public SimpleVersionedSerializer<AutoLoaderEnumeratorState> getEnumeratorCheckpointSerializer() {
    return AutoLoaderEnumeratorStateSerializer.INSTANCE;
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return InternalTypeInfo.of(settings.producedType());
  }
}
