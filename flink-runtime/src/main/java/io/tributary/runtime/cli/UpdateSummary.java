package io.tributary.runtime.cli;

import io.tributary.runtime.UpdateResult;
import java.util.Locale;

/**
 * The line {@code tributary start} ends an update with, and what its figures count. The update's
 * duration (as {@code tributary status} and the event log give it) runs from the update's record,
 * taken once the pipeline is analyzed and its lock held, to its flows' end. The printer's timeline
 * starts earlier, when the command starts (the pipeline's classes loaded, its queries analyzed by
 * Flink's planner, the jobs planned, the lock taken), and goes on after it (maintenance, the event
 * log folded into its Delta table), so it reaches further than the duration; the line says by how much
 * and where.
 */
final class UpdateSummary {

  private UpdateSummary() {}

  /**
   * For example: {@code Update 1 COMPLETED in 6.0 s (the update: its jobs and their commits). The
   * command's timeline: 11.4 s, of which 3.2 s of analysis and planning before the update and 2.2 s of
   * bookkeeping after it (maintenance, the event log)}. The bookkeeping runs from the flows' end to now;
   * what is before the update is the rest, so the three parts add up to the timeline (a flow's first
   * state comes after the update's record is taken, so it cannot mark where the update starts).
   *
   * @param flowsEnded seconds from the command's start to the update's last flow end, -1 if unknown
   * @param total seconds from the command's start to now
   */
  static String line(UpdateResult result, double flowsEnded, double total) {
    double update = result.duration().toMillis() / 1000.0;
    String head =
        String.format(
            Locale.ROOT, "Update %d %s in %.1f s", result.number(), result.state(), update);
    if (flowsEnded < 0) {
      return head + String.format(Locale.ROOT, " (%.1f s since the command started)", total);
    }
    double after = Math.max(0, total - flowsEnded);
    double before = Math.max(0, total - update - after);
    return head
        + String.format(
            Locale.ROOT,
            " (the update: its jobs and their commits). The command's timeline:"
                + " %.1f s, of which %.1f s of analysis and planning before the update and %.1f s of bookkeeping after it"
                + " (maintenance, the event log)",
            total,
            before,
            after);
  }
}
