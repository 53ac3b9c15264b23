package io.tributary.runtime.source;

import java.util.Comparator;
import java.util.Objects;

/**
 * One input file as listed: its full path (as Flink prints it, the key of the processed-files state),
 * length in bytes and modification time in epoch milliseconds.
 */
record DiscoveredFile(String path, long length, long modificationTime) {

  /** Oldest first, then by path: files are read roughly in the order they arrived, deterministically. */
  static final Comparator<DiscoveredFile> ARRIVAL_ORDER =
      Comparator.comparingLong(DiscoveredFile::modificationTime)
          .thenComparing(DiscoveredFile::path);

  DiscoveredFile {
    Objects.requireNonNull(path, "path");
  }
}
