package io.tributary.runtime.engine;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.JobID;

/**
 * What every {@link SubmittedJob} holds from its submission on, whatever runs it: the job's id, the
 * future of its result and its caught-up signal. An executor adds how it asks its cluster the rest.
 */
public abstract class SubmittedJobBase implements SubmittedJob {

  private final JobID jobId;
  private final CompletableFuture<JobOutcome> result;
  private final CompletableFuture<Void> caughtUp;

  protected SubmittedJobBase(
      JobID jobId, CompletableFuture<JobOutcome> result, CompletableFuture<Void> caughtUp) {
    this.jobId = Objects.requireNonNull(jobId, "jobId");
    this.result = Objects.requireNonNull(result, "result");
    this.caughtUp = Objects.requireNonNull(caughtUp, "caughtUp");
  }

  /** The job's Flink id. */
  protected final JobID jobId() {
    return jobId;
  }

  @Override
  public final String id() {
    return jobId.toHexString();
  }

  @Override
  public final CompletableFuture<JobOutcome> result() {
    return result;
  }

  @Override
  public final CompletableFuture<Void> caughtUp() {
    return caughtUp;
  }
}
