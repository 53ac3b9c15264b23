package io.tributary.runtime.source;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.core.fs.Path;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovers input files and hands them out, one file (split) per reader request.
 *
 * <p>Triggered mode: at the start of an update it lists the input once, unless its restored state
 * already holds that update's listing (a failover mid-update), hands out the new files, and then stays
 * silent: it never signals "no more splits", because a finished source would end the job and Flink
 * would delete its checkpoints. Continuous mode lists every discovery interval. In both, a file in the
 * {@link ProcessedFiles} is never taken in again.
 *
 * <p>With {@code maxFilesPerTrigger} or {@code maxBytesPerTrigger} it admits at most that much per epoch
 * (at least one file) and admits more when a checkpoint completes; a triggered update then reads its
 * listing over several epochs, so such a job needs periodic checkpointing.
 * {@code includeExistingFiles=false} remembers the files of the first listing without reading them;
 * {@code modifiedAfter} ignores files modified at or before it.
 *
 * <p>It reports when it has caught up (nothing left to assign, every registered reader waiting for a
 * split): through {@link CaughtUpRegistry} and a {@code caughtUp} gauge (0/1) on the coordinator's
 * metric group. All methods run in the coordinator thread; listings run in its worker thread.
 */
final class AutoLoaderEnumerator implements SplitEnumerator<FileSourceSplit, AutoLoaderEnumeratorState> {

  private static final Logger LOG = LoggerFactory.getLogger(AutoLoaderEnumerator.class);

  /** The name of the enumerator gauge a remote runner polls. */
  static final String CAUGHT_UP_METRIC = "caughtUp";

  private final SplitEnumeratorContext<FileSourceSplit> context;
  private final AutoLoaderSource.Settings settings;
  private final FileDiscovery discovery;
  private final ProcessedFileIndex processed;
  private final Deque<FileSourceSplit> pending;
  private final Set<Integer> awaiting = new TreeSet<>();
  private String listedUpdateId;
  private volatile boolean caughtUp;
  private int admittedFiles;
  private long admittedBytes;

  AutoLoaderEnumerator(SplitEnumeratorContext<FileSourceSplit> context, AutoLoaderSource.Settings settings,
      AutoLoaderEnumeratorState state) {
    this.context = context;
    this.settings = settings;
    this.discovery = FileDiscovery.of(settings.options());
    this.processed = new ProcessedFileIndex(state.processed(), settings.discovery().maxFileAgeMillis());
    this.pending = new ArrayDeque<>(state.pendingSplits());
    this.listedUpdateId = state.listedUpdateId();
  }

  @Override
  public void start() {
    context.metricGroup().gauge(CAUGHT_UP_METRIC, () -> caughtUp ? 1 : 0);
    if (settings.mode() == AutoLoaderSource.Mode.CONTINUOUS) {
      context.callAsync(discovery::list, this::onListed, 0L, settings.discoveryInterval().toMillis());
    } else if (!settings.updateId().equals(listedUpdateId)) {
      context.callAsync(discovery::list, this::onListed);
    } else {
      LOG.info("Auto Loader source '{}': update {} was listed before a failover; restoring {} pending files.",
          settings.sourceId(), listedUpdateId, pending.size());
      assignAndCheck();
    }
  }

  private void onListed(@Nullable List<DiscoveredFile> files, @Nullable Throwable error) {
    if (error != null) {
      throw new FlinkRuntimeException("Auto Loader source '" + settings.sourceId() + "': cannot list the input "
          + "path " + settings.options().path() + ": " + error.getMessage(), error);
    }
    DiscoveryOptions options = settings.discovery();
    boolean read = options.includeExistingFiles() || !listedUpdateId.isEmpty();
    int added = 0;
    List<String> expired = new ArrayList<>();
    for (DiscoveredFile file : files) {
      if (file.modificationTime() <= options.modifiedAfter()
          || processed.contains(file.path(), file.modificationTime())) {
        continue;
      }
      if (processed.expired(file.modificationTime())) {
        expired.add(file.path());
        continue;
      }
      processed.add(file.path(), file.modificationTime());
      if (read && file.length() > 0) {
        pending.add(new FileSourceSplit(file.path(), new Path(file.path()), 0, file.length(),
            file.modificationTime(), file.length()));
      }
      added++;
    }
    processed.afterListing();
    if (!expired.isEmpty()) {
      LOG.warn("Auto Loader source '{}' (update {}): {} files are not read because they were modified more than "
          + "maxFileAge before the newest file taken in (the first: {}). Raise maxFileAge, or remove it to "
          + "remember every file.", settings.sourceId(), settings.updateId(), expired.size(),
          expired.subList(0, Math.min(5, expired.size())));
    }
    LOG.info("Auto Loader source '{}' (update {}): {} new files of {} listed{}.", settings.sourceId(),
        settings.updateId(), added, files.size(), read ? "" : ", remembered without reading (includeExistingFiles=false)");
    listedUpdateId = settings.updateId();
    assignAndCheck();
  }

  @Override
  public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
    awaiting.add(subtaskId);
    assignAndCheck();
  }

  @Override
  public void addSplitsBack(List<FileSourceSplit> splits, int subtaskId) {
    // A failed reader's splits, with the positions of the last checkpoint: they go first.
    List<FileSourceSplit> back = new ArrayList<>(splits);
    for (int i = back.size() - 1; i >= 0; i--) {
      pending.addFirst(back.get(i));
    }
    awaiting.remove(subtaskId);
    assignAndCheck();
  }

  @Override
  public void addReader(int subtaskId) {
    // A (re)registered reader asks for a split itself when it has none; until then it is not waiting.
    awaiting.remove(subtaskId);
    assignAndCheck();
  }

  @Override
  public AutoLoaderEnumeratorState snapshotState(long checkpointId) {
    return new AutoLoaderEnumeratorState(listedUpdateId, processed.snapshot(), new ArrayList<>(pending));
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    // A new epoch: the rate limits admit files again.
    admittedFiles = 0;
    admittedBytes = 0;
    assignAndCheck();
  }

  @Override
  public void close() throws IOException {}

  private void assignAndCheck() {
    Map<Integer, ReaderInfo> readers = context.registeredReaders();
    var waiting = awaiting.iterator();
    while (!pending.isEmpty() && waiting.hasNext() && admits(pending.peek())) {
      int subtask = waiting.next();
      waiting.remove();
      if (readers.containsKey(subtask)) {
        FileSourceSplit split = pending.poll();
        admittedFiles++;
        admittedBytes += split.length();
        context.assignSplit(split, subtask);
      }
    }
    boolean now = settings.updateId().equals(listedUpdateId)
        && pending.isEmpty()
        && readers.size() == context.currentParallelism()
        && awaiting.containsAll(readers.keySet());
    if (now && !caughtUp) {
      LOG.info("Auto Loader source '{}' caught up in update {}.", settings.sourceId(), settings.updateId());
      CaughtUpRegistry.markCaughtUp(settings.updateId(), settings.sourceId());
    }
    caughtUp = now;
  }

  /** Whether the rate limits admit {@code next} in this epoch; the first file of an epoch always is. */
  private boolean admits(FileSourceSplit next) {
    DiscoveryOptions options = settings.discovery();
    if (admittedFiles == 0) {
      return true;
    }
    return admittedFiles < options.maxFilesPerTrigger()
        && admittedBytes + next.length() <= options.maxBytesPerTrigger();
  }
}
