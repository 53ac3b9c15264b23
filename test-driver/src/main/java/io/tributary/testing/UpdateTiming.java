package io.tributary.testing;

import java.time.Duration;

/**
 * Where the time of one {@link PipelineTestDriver#runUpdate()} went.
 *
 * @param clusterStart starting the shared cluster (only the update that started it pays this)
 * @param planning from the call to the first flow starting: analysis of every query by Flink's planner,
 *     job planning, the pipeline's lock and storage bookkeeping
 * @param jobs from the first flow starting to the last flow ending: the Flink jobs, their checkpoints,
 *     the Delta commits those make and the savepoints that end them
 * @param finishing from the last flow ending to the update's result: the event log and the lock
 * @param total the whole call
 */
public record UpdateTiming(
    Duration clusterStart, Duration planning, Duration jobs, Duration finishing, Duration total) {

  @Override
  public String toString() {
    return "total "
        + ms(total)
        + " (cluster start "
        + ms(clusterStart)
        + ", planning "
        + ms(planning)
        + ", jobs "
        + ms(jobs)
        + ", finishing "
        + ms(finishing)
        + ")";
  }

  private static String ms(Duration d) {
    return d.toMillis() + " ms";
  }
}
