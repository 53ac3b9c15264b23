package io.tributary.runtime.source;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.connector.file.src.FileSourceSplit;

/**
 * The checkpointed discovery state of an Auto Loader source: it is what makes each file be read exactly
 * once across failures and updates.
 *
 * <p>{@code processedFiles} holds every file ever taken in (assigned, pending or empty): a file in it is
 * never read again. This plain set grows with the number of files; compacting it (a modification-time
 * low-water mark plus the files near it) is the next step of issue 4. {@code listedUpdateId} is the update
 * whose start-of-update listing is already in the state, so a failover within that update restores the
 * splits instead of listing again. {@code pendingSplits} were listed but not yet handed to a reader.
 *
 * @param listedUpdateId the update the input was last listed for, empty before the first listing
 * @param processedFiles full paths of every file taken in
 * @param pendingSplits listed splits not yet assigned, in assignment order
 */
public record AutoLoaderEnumeratorState(String listedUpdateId, Set<String> processedFiles,
                                        List<FileSourceSplit> pendingSplits) {

  public AutoLoaderEnumeratorState {
    Objects.requireNonNull(listedUpdateId, "listedUpdateId");
    processedFiles = Set.copyOf(processedFiles);
    pendingSplits = List.copyOf(pendingSplits);
  }

  /** The state of a source that has never listed its input. */
  public static AutoLoaderEnumeratorState empty() {
    return new AutoLoaderEnumeratorState("", Set.of(), List.of());
  }
}
