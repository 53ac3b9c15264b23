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
 * Flink's {@link FileSourceReader}, plus two things it lacks.
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
 */
final class AutoLoaderReader implements SourceReader<RowData, FileSourceSplit> {

  private final FileSourceReader<RowData, FileSourceSplit> delegate;
  private final Optional<EventTimeBound> eventTime;
  private volatile boolean waitingForSplit;
  private boolean markedIdle; // touched only by the task thread, in pollNext
  private ReaderOutput<RowData> lastOutput; // the task's output and its watermarking wrapper, task thread only
  private ReaderOutput<RowData> wrappedOutput;

  AutoLoaderReader(SourceReaderContext context, AutoLoaderBulkFormat format) {
    this(context, format, Optional.empty());
  }

  AutoLoaderReader(SourceReaderContext context, AutoLoaderBulkFormat format, Optional<EventTimeBound> eventTime) {
    this.delegate = new FileSourceReader<>(new RequestTrackingContext(context), format, context.getConfiguration());
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
    InputStatus status = delegate.pollNext(watermarking(output));
    if (status == InputStatus.NOTHING_AVAILABLE && waitingForSplit && !markedIdle) {
      output.markIdle();
      markedIdle = true;
    }
    return status;
  }

  private ReaderOutput<RowData> watermarking(ReaderOutput<RowData> output) {
    if (eventTime.isEmpty()) {
      return output;
    }
    if (output != lastOutput) {
      lastOutput = output;
      wrappedOutput = new WatermarkingOutput(output, eventTime.get());
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
  public void pauseOrResumeSplits(java.util.Collection<String> toPause, java.util.Collection<String> toResume) {
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
   * Passes everything through, notes the largest event time each split's rows carry, and when the file
   * reader releases a finished split emits the watermark those rows imply on the reader's main output
   * (which emits only watermarks newer than the last). The file reader holds one split at a time, so a
   * finished split's watermark never overtakes rows still to be read.
   */
  private static final class WatermarkingOutput implements ReaderOutput<RowData> {
    private final ReaderOutput<RowData> output;
    private final EventTimeBound bound;
    private final Map<String, SplitOutput> splits = new HashMap<>();

    WatermarkingOutput(ReaderOutput<RowData> output, EventTimeBound bound) {
      this.output = output;
      this.bound = bound;
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
      return splits.computeIfAbsent(splitId, id -> new SplitOutput(output.createOutputForSplit(id), bound));
    }

    @Override
    public void releaseOutputForSplit(String splitId) {
      SplitOutput split = splits.remove(splitId);
      output.releaseOutputForSplit(splitId);
      if (split != null) {
        long watermark = bound.watermarkAfter(split.maxTimestamp);
        if (watermark != Long.MIN_VALUE) {
          output.emitWatermark(new org.apache.flink.api.common.eventtime.Watermark(watermark));
        }
      }
    }
  }

  /** A split's output that notes the largest event time of the rows it passes on. */
  private static final class SplitOutput implements SourceOutput<RowData> {
    private final SourceOutput<RowData> output;
    private final EventTimeBound bound;
    long maxTimestamp = Long.MIN_VALUE;

    SplitOutput(SourceOutput<RowData> output, EventTimeBound bound) {
      this.output = output;
      this.bound = bound;
    }

    @Override
    public void collect(RowData record) {
      maxTimestamp = Math.max(maxTimestamp, bound.timestamp(record));
      output.collect(record);
    }

    @Override
    public void collect(RowData record, long timestamp) {
      maxTimestamp = Math.max(maxTimestamp, bound.timestamp(record));
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
