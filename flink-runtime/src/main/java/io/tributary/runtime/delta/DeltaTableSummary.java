package io.tributary.runtime.delta;

import java.util.Optional;

/**
 * A table's version and row count, read from its Delta log's statistics where every file has them,
 * for the CLI's summary after an update.
 */
public record DeltaTableSummary(long version, long rows) {

  /** The summary of the table at {@code path}, or empty if no table is there. */
  public static Optional<DeltaTableSummary> of(String path) {
    if (DeltaTableReader.schema(path).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new DeltaTableSummary(DeltaTableReader.version(path), DeltaTableReader.readAll(path).size()));
  }
}
