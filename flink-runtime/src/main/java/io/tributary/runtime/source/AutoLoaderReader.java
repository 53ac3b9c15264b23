package io.tributary.runtime.source;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.watermark.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.impl.FileSourceReader;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * Flink's {@link FileSourceReader}, plus three things it lacks.
 *
 * <p>A reader that has no file and has asked for one marks its output idle, so an idle subtask does not
 * hold back the watermark of the whole job, and marks it active again when a file arrives. The
 * enumerator answers each request with one file, so "asked and not answered" means "holds no file".
 *
 * <p>When it finishes a file it emits the watermark that file's rows imply, before it asks for the next
 * file. Flink keeps one watermark generator per split and emits its watermark only periodically
 * ({@code pipeline.auto-watermark-interval}); releasing a finished split drops its generator without a
 * last emission, so the watermark of a file read between two periodic emissions (every small file) was
 * lost. A triggered update stops the job as soon as every reader has asked for a file, so without this
 * the windows the new rows close would stay open until some later update. The watermark is emitted by
 * the task thread inside {@link #pollNext}, so it precedes any checkpoint barrier, including the stop's
 * savepoint barrier, on every output channel.
 *
 * <p>When an operator chained to the source throws on a record it emitted (a constraint's
 * {@code CAST(amount AS INT)} meeting {@code 'abc'}), the exception comes back through the emit call:
 * it rethrows it as a {@link SourceRowException} that names the file, the record's line and its values
 * ({@link #rowFailed}). A record that crossed a network edge first (after a shuffle) fails in another
 * task, outside this call, and its error carries no origin.
 */
final class AutoLoaderReader implements SourceReader<RowData, FileSourceSplit> {

  private final FileSourceReader<RowData, FileSourceSplit> delegate;
  private final AutoLoaderBulkFormat format;
  private final String sourceId;

  /** The splits the reader was given, by id (the file's path), until it finishes them: task thread only. */
  private final Map<String, FileSourceSplit> splits = new HashMap<>();

  private final Optional<EventTimeBound> eventTime;
  private volatile boolean waitingForSplit;
  private boolean markedIdle; // touched only by the task thread, in pollNext
  private ReaderOutput<RowData>
      lastOutput; // the task's output and its watermarking wrapper, task thread only
  private ReaderOutput<RowData> wrappedOutput;

  AutoLoaderReader(SourceReaderContext context, AutoLoaderBulkFormat format) {
    this(context, format, Optional.empty());
  }

  AutoLoaderReader(
      SourceReaderContext context,
      AutoLoaderBulkFormat format,
      Optional<EventTimeBound> eventTime) {
    this.delegate =
        new FileSourceReader<>(
            new RequestTrackingContext(context), format, context.getConfiguration());
    this.format = format;
    this.sourceId = format.sourceId();
    this.eventTime = eventTime;
  }

  @Override
  public void start() {
    delegate.start();
  }

  @Override
  public InputStatus pollNext(ReaderOutput<RowData> output) throws Exception {
    if (markedIdle && !waitingForSplit) {
      output.markActive();
      markedIdle = false;
    }
    InputStatus status = delegate.pollNext(tracking(output));
    if (status == InputStatus.NOTHING_AVAILABLE && waitingForSplit && !markedIdle) {
      output.markIdle();
      markedIdle = true;
    }
    return status;
  }

  private ReaderOutput<RowData> tracking(ReaderOutput<RowData> output) {
    if (output != lastOutput) {
      lastOutput = output;
      wrappedOutput = new TrackingOutput(output, eventTime.orElse(null), this);
    }
    return wrappedOutput;
  }

  @Override
  public List<FileSourceSplit> snapshotState(long checkpointId) {
    return delegate.snapshotState(checkpointId);
  }

  @Override
  public CompletableFuture<Void> isAvailable() {
    return delegate.isAvailable();
  }

  @Override
  public void addSplits(List<FileSourceSplit> splits) {
    if (!splits.isEmpty()) {
      waitingForSplit = false;
    }
    splits.forEach(split -> this.splits.put(split.splitId(), split));
    delegate.addSplits(splits);
  }

  @Override
  public void notifyNoMoreSplits() {
    delegate.notifyNoMoreSplits();
  }

  @Override
  public void handleSourceEvents(SourceEvent sourceEvent) {
    delegate.handleSourceEvents(sourceEvent);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    delegate.notifyCheckpointComplete(checkpointId);
  }

  @Override
  public void notifyCheckpointAborted(long checkpointId) throws Exception {
    delegate.notifyCheckpointAborted(checkpointId);
  }

  @Override
  public void pauseOrResumeSplits(
      java.util.Collection<String> toPause, java.util.Collection<String> toResume) {
    delegate.pauseOrResumeSplits(toPause, toResume);
  }

  @Override
  public void close() throws Exception {
    delegate.close();
  }

  /** Whether the reader has asked for a split and not received one (for tests). */
  boolean isWaitingForSplit() {
    return waitingForSplit;
  }

  /**
   * {@code error}, thrown by an operator chained to the source while it took the {@code record}-th
   * record (from 1) this reader emitted of {@code splitId}, as a {@link SourceRowException} naming the
   * file, the line and the record's values, when the planner's code threw it (see
   * {@link #thrownOnTheRecord}); otherwise {@code error} itself.
   */
  RuntimeException rowFailed(RuntimeException error, String splitId, long record, RowData row) {
    if (!thrownOnTheRecord(error)) {
      return error;
    }
    FileSourceSplit split = splits.get(splitId);
    String file = split == null ? splitId : split.path().toString();
    Optional<String> position = split == null ? Optional.empty() : format.positionOf(split, record);
    return AutoLoaderErrors.rowFailed(
        sourceId, file, position, RowText.of(row, format.producedType()), error);
  }

  /** Whether {@code error} is about the record: see {@link SourceRowException#thrownByThePlannersCode}. */
  static boolean thrownOnTheRecord(Throwable error) {
    return SourceRowException.thrownByThePlannersCode(error);
  }

  /**
   * Passes everything through and gives each split an output that counts its records and names the
   * record an exception of a chained operator came back with. With an event time, it also notes the
   * largest event time each split's rows carry, and when the file reader releases a finished split emits
   * the watermark those rows imply on the reader's main output (which emits only watermarks newer than
   * the last). The file reader holds one split at a time, so a finished split's watermark never
   * overtakes rows still to be read.
   */
  private static final class TrackingOutput implements ReaderOutput<RowData> {
    private final ReaderOutput<RowData> output;
    private final EventTimeBound bound; // null without an event time
    private final AutoLoaderReader reader;
    private final Map<String, SplitOutput> splits = new HashMap<>();

    TrackingOutput(ReaderOutput<RowData> output, EventTimeBound bound, AutoLoaderReader reader) {
      this.output = output;
      this.bound = bound;
      this.reader = reader;
    }

    @Override
    public void collect(RowData record) {
      output.collect(record);
    }

    @Override
    public void collect(RowData record, long timestamp) {
      output.collect(record, timestamp);
    }

    @Override
    public void emitWatermark(org.apache.flink.api.common.eventtime.Watermark watermark) {
      output.emitWatermark(watermark);
    }

    @Override
    public void markIdle() {
      output.markIdle();
    }

    @Override
    public void markActive() {
      output.markActive();
    }

    @Override
    public SourceOutput<RowData> createOutputForSplit(String splitId) {
      return splits.computeIfAbsent(
          splitId, id -> new SplitOutput(output.createOutputForSplit(id), id, bound, reader));
    }

    @Override
    public void releaseOutputForSplit(String splitId) {
      SplitOutput split = splits.remove(splitId);
      output.releaseOutputForSplit(splitId);
      reader.splits.remove(splitId);
      if (split != null && bound != null) {
        long watermark = bound.watermarkAfter(split.maxTimestamp);
        if (watermark != Long.MIN_VALUE) {
          output.emitWatermark(new org.apache.flink.api.common.eventtime.Watermark(watermark));
        }
      }
    }
  }

  /**
   * A split's output: counts the records it passes on (a restored split from its restored position) and
   * notes the largest event time among them. Per record it costs an increment and a try block, which
   * costs nothing unless an exception comes back; the record's line is found only then.
   */
  private static final class SplitOutput implements SourceOutput<RowData> {
    private final SourceOutput<RowData> output;
    private final String splitId;
    private final EventTimeBound bound;
    private final AutoLoaderReader reader;
    long maxTimestamp = Long.MIN_VALUE;
    private long records;

    SplitOutput(
        SourceOutput<RowData> output,
        String splitId,
        EventTimeBound bound,
        AutoLoaderReader reader) {
      this.output = output;
      this.splitId = splitId;
      this.bound = bound;
      this.reader = reader;
    }

    @Override
    public void collect(RowData record) {
      records++;
      if (bound != null) {
        maxTimestamp = Math.max(maxTimestamp, bound.timestamp(record));
      }
      try {
        output.collect(record);
      } catch (RuntimeException e) {
        throw reader.rowFailed(e, splitId, records, record);
      }
    }

    @Override
    public void collect(RowData record, long timestamp) {
      records++;
      if (bound != null) {
        maxTimestamp = Math.max(maxTimestamp, bound.timestamp(record));
      }
      try {
        output.collect(record, timestamp);
      } catch (RuntimeException e) {
        throw reader.rowFailed(e, splitId, records, record);
      }
    }

    @Override
    public void emitWatermark(org.apache.flink.api.common.eventtime.Watermark watermark) {
      output.emitWatermark(watermark);
    }

    @Override
    public void markIdle() {
      output.markIdle();
    }

    @Override
    public void markActive() {
      output.markActive();
    }
  }

  /** Passes everything through and notes when the file reader asks for a split. */
  private final class RequestTrackingContext implements SourceReaderContext {
    private final SourceReaderContext context;

    RequestTrackingContext(SourceReaderContext context) {
      this.context = context;
    }

    @Override
    public void sendSplitRequest() {
      waitingForSplit = true;
      context.sendSplitRequest();
    }

    @Override
    public SourceReaderMetricGroup metricGroup() {
      return context.metricGroup();
    }

    @Override
    public Configuration getConfiguration() {
      return context.getConfiguration();
    }

    @Override
    public String getLocalHostName() {
      return context.getLocalHostName();
    }

    @Override
    public int getIndexOfSubtask() {
      return context.getIndexOfSubtask();
    }

    @Override
    public void sendSourceEventToCoordinator(SourceEvent sourceEvent) {
      context.sendSourceEventToCoordinator(sourceEvent);
    }

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
      return context.getUserCodeClassLoader();
    }

    @Override
    public int currentParallelism() {
      return context.currentParallelism();
    }

    @Override
    public void emitWatermark(Watermark watermark) {
      context.emitWatermark(watermark);
    }
  }
}
