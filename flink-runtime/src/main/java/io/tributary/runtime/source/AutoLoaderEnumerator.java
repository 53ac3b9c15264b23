package io.tributary.runtime.source;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.core.fs.Path;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovers input files and hands them out, one file (split) per reader request, as every streaming
 * source of Tributary does ({@link PendingSplitEnumerator}: when it lists, the order and budget of the
 * hand-out, and when it has caught up). In both modes, a file in the {@link ProcessedFiles} is never
 * taken in again.
 *
 * <p>With {@code maxFilesPerTrigger} or {@code maxBytesPerTrigger} it admits at most that much per epoch
 * (at least one file) and admits more when a checkpoint completes; a triggered update then reads its
 * listing over several epochs, so such a job needs periodic checkpointing.
 * {@code includeExistingFiles=false} remembers the files of the first listing without reading them;
 * {@code modifiedAfter} ignores files modified at or before it.
 */
final class AutoLoaderEnumerator
    extends PendingSplitEnumerator<
        FileSourceSplit, AutoLoaderEnumeratorState, List<DiscoveredFile>> {

  private static final Logger LOG = LoggerFactory.getLogger(AutoLoaderEnumerator.class);

  private final AutoLoaderSource.Settings settings;
  private final FileDiscovery discovery;
  private final ProcessedFileIndex processed;

  AutoLoaderEnumerator(
      SplitEnumeratorContext<FileSourceSplit> context,
      AutoLoaderSource.Settings settings,
      AutoLoaderEnumeratorState state) {
    super(
        context,
        new Listing(
            "Auto Loader source",
            settings.sourceId(),
            settings.updateId(),
            settings.mode() == AutoLoaderSource.Mode.CONTINUOUS
                ? settings.discoveryInterval()
                : null),
        new EpochBudget<>(
            settings.discovery().maxFilesPerTrigger(),
            settings.discovery().maxBytesPerTrigger(),
            FileSourceSplit::length),
        state.listedUpdateId(),
        state.pendingSplits());
    this.settings = settings;
    this.discovery = FileDiscovery.of(settings.options());
    this.processed =
        new ProcessedFileIndex(state.processed(), settings.discovery().maxFileAgeMillis());
  }

  @Override
  protected List<DiscoveredFile> list() throws Exception {
    return discovery.list();
  }

  @Override
  protected RuntimeException listingFailed(Throwable error) {
    return new FlinkRuntimeException(
        "Auto Loader source '"
            + settings.sourceId()
            + "': cannot list the input "
            + "path "
            + settings.options().path()
            + ": "
            + error.getMessage(),
        error);
  }

  @Override
  protected List<FileSourceSplit> takeIn(List<DiscoveredFile> files) {
    DiscoveryOptions options = settings.discovery();
    boolean read = options.includeExistingFiles() || !listedUpdateId().isEmpty();
    int added = 0;
    List<FileSourceSplit> splits = new ArrayList<>();
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
        splits.add(
            new FileSourceSplit(
                file.path(),
                new Path(file.path()),
                0,
                file.length(),
                file.modificationTime(),
                file.length()));
      }
      added++;
    }
    processed.afterListing();
    if (!expired.isEmpty()) {
      LOG.warn(
          "Auto Loader source '{}' (update {}): {} files are not read because they were modified more than "
              + "maxFileAge before the newest file taken in (the first: {}). Raise maxFileAge, or remove it to "
              + "remember every file.",
          settings.sourceId(),
          settings.updateId(),
          expired.size(),
          expired.subList(0, Math.min(5, expired.size())));
    }
    LOG.info(
        "Auto Loader source '{}' (update {}): {} new files of {} listed{}.",
        settings.sourceId(),
        settings.updateId(),
        added,
        files.size(),
        read ? "" : ", remembered without reading (includeExistingFiles=false)");
    return splits;
  }

  @Override
  public AutoLoaderEnumeratorState snapshotState(long checkpointId) {
    return new AutoLoaderEnumeratorState(listedUpdateId(), processed.snapshot(), pendingSplits());
  }
}
