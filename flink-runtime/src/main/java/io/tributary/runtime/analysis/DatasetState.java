package io.tributary.runtime.analysis;

/** Where a dataset stands in one {@link AnalysisRun}. */
enum DatasetState {
  /** Being analyzed: a read of it from inside its own analysis is a cycle. */
  ANALYZING,
  /** Analyzed: its row type is known and its placeholders are registered. */
  DONE,
  /** Not analyzable: its problem, or that of an input, is reported. */
  FAILED,
  /** Reads a dataset on a cycle (or is on one): reported as the cycle. */
  BLOCKED
}
