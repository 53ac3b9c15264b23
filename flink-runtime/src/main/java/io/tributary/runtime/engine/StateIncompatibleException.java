package io.tributary.runtime.engine;

import java.util.List;

/**
 * A streaming job's saved state does not fit the pipeline's current definition; the message names
 * the tables, what changed, and the fix (a full refresh of those tables). Never retried. Made only by
 * its factory methods.
 */
public final class StateIncompatibleException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private StateIncompatibleException(String message) {
    super(message);
  }

  /** {@code dataset}'s state belongs to another streaming job than the one that now runs it. */
  static StateIncompatibleException ownedByAnotherJob(
      String dataset, String owner, String job, List<String> datasets) {
    return new StateIncompatibleException(
        "The state of table '"
            + dataset
            + "' belongs to streaming job '"
            + owner
            + "', but the pipeline now runs it in job '"
            + job
            + "' (its streaming tables"
            + " are grouped differently), and state cannot move between jobs. Run a full refresh of these tables:"
            + " tributary start PIPELINE.yml --full-refresh-tables "
            + String.join(",", datasets)
            + ".");
  }

  /** The state was saved by a definition whose fingerprint differs by {@code difference}. */
  static StateIncompatibleException savedByAnotherDefinition(
      List<String> datasets, String difference) {
    return new StateIncompatibleException(
        "The state of "
            + String.join(", ", datasets)
            + " was saved by a"
            + " different definition ("
            + difference
            + "), so the next update cannot continue from it."
            + " Run a full refresh of these tables: tributary start PIPELINE.yml --full-refresh-tables "
            + String.join(",", datasets)
            + ".");
  }

  /** Flink could not restore the state into the current job ({@code why}: its root message). */
  static StateIncompatibleException doesNotFit(List<String> datasets, String why) {
    return new StateIncompatibleException(
        "The state of "
            + String.join(", ", datasets)
            + " does not"
            + " fit their current definition ("
            + why
            + "). Run a full refresh of these tables: tributary"
            + " start PIPELINE.yml --full-refresh-tables "
            + String.join(",", datasets)
            + ".");
  }
}
