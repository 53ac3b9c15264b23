package io.tributary.runtime.engine;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.api.common.JobStatus;

/**
 * How a job ended.
 *
 * @param status its terminal status, such as FINISHED, FAILED or CANCELED
 * @param accumulators its final accumulators, by name (values deserialized)
 * @param failure why it did not finish, as the cluster reported it (a remote cluster's failure arrives
 *     as a {@code SerializedThrowable}: match classes by name, see {@link JobErrors})
 */
public record JobOutcome(
    JobStatus status, Map<String, Object> accumulators, Optional<Throwable> failure) {

  public JobOutcome {
    Objects.requireNonNull(status, "status");
    accumulators = Map.copyOf(accumulators);
    Objects.requireNonNull(failure, "failure");
  }

  /** A job that finished, with these final accumulators. */
  public static JobOutcome finished(Map<String, Object> accumulators) {
    return new JobOutcome(JobStatus.FINISHED, accumulators, Optional.empty());
  }

  /** A job that failed with {@code failure}. */
  public static JobOutcome failed(Throwable failure) {
    return new JobOutcome(JobStatus.FAILED, Map.of(), Optional.of(failure));
  }

  public boolean isSuccess() {
    return failure.isEmpty();
  }
}
