package io.tributary.runtime.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.runtime.engine.JobOutcome;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Test;

/**
 * The order in which the caught-up watch fails a job on a cluster: its failure recorded, the job
 * cancelled (the cluster taking it), and only then the result the update waits on completed, with that
 * failure even when the job's own end (CANCELED) arrives while it is being cancelled. Completing the
 * result first let the update go on and close its cluster client under a cancel still on its way, which
 * left the job running on the cluster.
 */
class WatchedResultTest {

  private static final JobOutcome NOT_CAUGHT_UP =
      JobOutcome.failed(new IllegalStateException("source 'orders' did not catch up"));
  private static final JobOutcome CANCELED =
      new JobOutcome(
          JobStatus.CANCELED, Map.of(), Optional.of(new IllegalStateException("cancelled")));

  @Test
  void theResultIsCompletedOnlyOnceTheCancelHasReturned() {
    ClusterJobWatch.WatchedResult result = new ClusterJobWatch.WatchedResult();
    AtomicBoolean doneWhileCancelling = new AtomicBoolean(true);

    result.fail(NOT_CAUGHT_UP, () -> doneWhileCancelling.set(result.future().isDone()));

    assertThat(doneWhileCancelling).as("the result, while the job was being cancelled").isFalse();
    assertThat(result.future()).isCompletedWithValue(NOT_CAUGHT_UP);
  }

  @Test
  void theJobsEndDuringTheCancelDoesNotTakeTheFailuresPlace() {
    ClusterJobWatch.WatchedResult result = new ClusterJobWatch.WatchedResult();

    result.fail(NOT_CAUGHT_UP, () -> result.ended(CANCELED));

    assertThat(result.future()).isCompletedWithValue(NOT_CAUGHT_UP);
  }

  @Test
  void aCancelThatThrowsStillCompletesTheResultWithTheFailure() {
    ClusterJobWatch.WatchedResult result = new ClusterJobWatch.WatchedResult();

    assertThatThrownBy(
            () ->
                result.fail(
                    NOT_CAUGHT_UP,
                    () -> {
                      throw new IllegalStateException("the cluster is gone");
                    }))
        .as("the cancel's own failure, to the watch's thread")
        .hasMessage("the cluster is gone");

    assertThat(result.future()).isCompletedWithValue(NOT_CAUGHT_UP);
  }

  @Test
  void withoutAFailureTheJobsOwnEndIsTheResult() {
    ClusterJobWatch.WatchedResult result = new ClusterJobWatch.WatchedResult();

    result.ended(JobOutcome.finished(Map.of("rows", 3L)));

    assertThat(result.future()).isCompletedWithValue(JobOutcome.finished(Map.of("rows", 3L)));
  }
}
