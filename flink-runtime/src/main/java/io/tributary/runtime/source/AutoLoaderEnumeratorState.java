package io.tributary.runtime.source;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.connector.file.src.FileSourceSplit;

/**
 * The checkpointed discovery state of an Auto Loader source: it is what makes each file be read exactly
 * once across failures and updates.
 *
 * <p>{@code processed} remembers every file taken in (assigned, pending, empty, or skipped because
 * {@code includeExistingFiles=false}), compactly: see {@link ProcessedFiles} for the rule and its limit.
 * {@code listedUpdateId} is the update whose start-of-update listing is already in the state, so a
 * failover within that update restores the splits instead of listing again. {@code pendingSplits} were
 * listed but not yet handed to a reader.
 *
 * @param listedUpdateId the update the input was last listed for, empty before the first listing
 * @param processed the files taken in
 * @param pendingSplits listed splits not yet assigned, in assignment order
 */
public record AutoLoaderEnumeratorState(
    String listedUpdateId, ProcessedFiles processed, List<FileSourceSplit> pendingSplits) {

  public AutoLoaderEnumeratorState {
    Objects.requireNonNull(listedUpdateId, "listedUpdateId");
    Objects.requireNonNull(processed, "processed");
    pendingSplits = List.copyOf(pendingSplits);
  }

  /** A state whose processed files are known by path only (as a version 1 state was). */
  public AutoLoaderEnumeratorState(
      String listedUpdateId, Set<String> processedFiles, List<FileSourceSplit> pendingSplits) {
    this(listedUpdateId, ProcessedFiles.ofPaths(processedFiles), pendingSplits);
  }

  /** The state of a source that has never listed its input. */
  public static AutoLoaderEnumeratorState empty() {
    return new AutoLoaderEnumeratorState("", ProcessedFiles.empty(), List.of());
  }

  /** Every processed path (decodes the compacted log; for tests and tools). */
  public Set<String> processedFiles() {
    return processed.paths();
  }
}
