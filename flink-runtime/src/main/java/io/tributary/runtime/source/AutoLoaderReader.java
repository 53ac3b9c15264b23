package io.tributary.runtime.source;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.watermark.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
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
 * Flink's {@link FileSourceReader}, plus one thing it lacks: a reader that has no file and has asked
 * for one marks its output idle, so an idle subtask does not hold back the watermark of the whole job,
 * and marks it active again when a file arrives. The enumerator answers each
 * request with one file, so "asked and not answered" means "holds no file".
 */
final class AutoLoaderReader implements SourceReader<RowData, FileSourceSplit> {

  private final FileSourceReader<RowData, FileSourceSplit> delegate;
  private volatile boolean waitingForSplit;
  private boolean markedIdle; // touched only by the task thread, in pollNext

  AutoLoaderReader(SourceReaderContext context, AutoLoaderBulkFormat format) {
    this.delegate = new FileSourceReader<>(new RequestTrackingContext(context), format, context.getConfiguration());
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
    InputStatus status = delegate.pollNext(output);
    if (status == InputStatus.NOTHING_AVAILABLE && waitingForSplit && !markedIdle) {
      output.markIdle();
      markedIdle = true;
    }
    return status;
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
