package io.tributary.runtime.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.jobgraph.JobType;

/**
 * A {@link JobExecutor} that runs nothing: each submitted job behaves as scripted for its name, by
 * default as a job that works (a STREAMING job catches up at once and runs until stopped with a
 * savepoint; a BATCH job ends FINISHED at once). It records every submission in order, so engine
 * behaviour (order, retries, restarts, stops) is testable without a cluster.
 *
 * <pre>{@code
 * FakeExecutor executor = new FakeExecutor()
 *     .script("bronze", FakeExecutor.Run.fails(new RuntimeException("disk full")), FakeExecutor.Run.works());
 * Tributary.pipeline(def).storage(dir).executor(executor).run();
 * executor.submissions();   // [bronze#1 failed, bronze#2, ...]
 * }</pre>
 */
public final class FakeExecutor implements JobExecutor {

  /** How one submitted run of a job behaves. */
  public enum Behaviour {
    WORKS,
    FAILS,
    RUNS_UNTIL_STOPPED
  }

  /**
   * One scripted run: its behaviour and, for FAILS, the failure; it behaves so once {@code gate}
   * completes (until then a STREAMING job has not caught up and a BATCH job runs).
   */
  public record Run(
      Behaviour behaviour, Optional<Throwable> failure, CompletableFuture<Void> gate) {
    public Run(Behaviour behaviour, Optional<Throwable> failure) {
      this(behaviour, failure, CompletableFuture.completedFuture(null));
    }

    public static Run works() {
      return new Run(Behaviour.WORKS, Optional.empty());
    }

    /** Works once {@code gate} completes. */
    public static Run worksWhen(CompletableFuture<Void> gate) {
      return new Run(Behaviour.WORKS, Optional.empty(), gate);
    }

    public static Run fails(Throwable failure) {
      return new Run(Behaviour.FAILS, Optional.of(failure));
    }

    /** Fails once {@code gate} completes. */
    public static Run failsWhen(CompletableFuture<Void> gate, Throwable failure) {
      return new Run(Behaviour.FAILS, Optional.of(failure), gate);
    }

    /** Never catches up; ends FINISHED when stopped with a savepoint. */
    public static Run runsUntilStopped() {
      return new Run(Behaviour.RUNS_UNTIL_STOPPED, Optional.empty());
    }
  }

  /** A submission as the fake saw it. */
  public record Submitted(
      String job, Optional<String> restoreFrom, String runId, Behaviour behaviour, String jobId) {}

  private final Map<String, Queue<Run>> scripts = new HashMap<>();
  private final List<Submitted> submissions = new ArrayList<>();
  private final List<String> savepoints = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final CompletableFuture<String> firstRunning = new CompletableFuture<>();
  private OptionalInt slots = OptionalInt.empty();

  /** The jobs submitted and not ended, by name. */
  private final List<String> running = new ArrayList<>();

  private int mostRunning;

  /** Says the cluster has {@code slots} slots, so a triggered update runs jobs side by side. */
  public synchronized FakeExecutor slots(int slots) {
    this.slots = OptionalInt.of(slots);
    return this;
  }

  @Override
  public synchronized OptionalInt slots() {
    return slots;
  }

  /** The jobs submitted and not ended yet, in the order they were submitted. */
  public synchronized List<String> running() {
    return List.copyOf(running);
  }

  /** The most jobs that ran at once. */
  public synchronized int mostRunning() {
    return mostRunning;
  }

  private synchronized void ended(String job) {
    running.remove(job);
  }

  /** The next runs of job {@code job}, in order; runs beyond them work. */
  public synchronized FakeExecutor script(String job, Run... runs) {
    scripts.computeIfAbsent(job, j -> new ArrayDeque<>()).addAll(List.of(runs));
    return this;
  }

  public synchronized List<Submitted> submissions() {
    return List.copyOf(submissions);
  }

  /** The names of the jobs submitted, in order. */
  public synchronized List<String> jobs() {
    return submissions.stream().map(Submitted::job).toList();
  }

  /** The savepoints taken, in order. */
  public synchronized List<String> savepoints() {
    return List.copyOf(savepoints);
  }

  /** Completes with the job's name once a job that runs until stopped is running. */
  public CompletableFuture<String> firstRunningUntilStopped() {
    return firstRunning;
  }

  @Override
  public synchronized SubmittedJob submit(JobSubmission submission) {
    Run run =
        Optional.ofNullable(scripts.get(submission.job())).map(Queue::poll).orElse(Run.works());
    submissions.add(
        new Submitted(
            submission.job(),
            submission.restoreFrom(),
            submission.runId(),
            run.behaviour(),
            submission.graph().getOptionalJobId().map(Object::toString).orElse("")));
    Job job = new Job("fake-" + ids.incrementAndGet(), submission.job());
    running.add(submission.job());
    mostRunning = Math.max(mostRunning, running.size());
    job.result.whenComplete((outcome, error) -> ended(submission.job()));
    boolean streaming = submission.graph().getJobType() == JobType.STREAMING;
    run.gate()
        .thenRun(
            () -> {
              switch (run.behaviour()) {
                case FAILS -> job.result.complete(JobOutcome.failed(run.failure().orElseThrow()));
                case WORKS -> {
                  if (streaming) {
                    job.caughtUp.complete(
                        null); // and it runs until stopped, as a streaming job's sources never
                    // finish
                  } else {
                    job.result.complete(JobOutcome.finished(Map.of()));
                  }
                }
                case RUNS_UNTIL_STOPPED -> firstRunning.complete(submission.job());
                default -> throw new IllegalStateException(run.behaviour().name());
              }
            });
    return job;
  }

  private synchronized void savepointTaken(String path) {
    savepoints.add(path);
  }

  private final class Job implements SubmittedJob {
    private final String id;
    private final String name;
    private final CompletableFuture<JobOutcome> result = new CompletableFuture<>();
    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();

    Job(String id, String name) {
      this.id = id;
      this.name = name;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public CompletableFuture<JobOutcome> result() {
      return result;
    }

    @Override
    public CompletableFuture<Void> caughtUp() {
      return caughtUp;
    }

    @Override
    public CompletableFuture<JobStatus> status() {
      return CompletableFuture.completedFuture(
          result.isDone() ? result.join().status() : JobStatus.RUNNING);
    }

    @Override
    public CompletableFuture<Map<String, Object>> accumulators() {
      return CompletableFuture.completedFuture(Map.of());
    }

    /** Writes a savepoint folder with a {@code _metadata} file, as Flink does, and ends the job. */
    @Override
    public String stopWithSavepoint(String dir, Duration timeout) {
      if (result.isDone()) {
        throw JobFailedException.endedBeforeStop(name);
      }
      Path savepoint = Path.of(dir.replaceFirst("^file:", "")).resolve("savepoint-" + id);
      try {
        Files.createDirectories(savepoint);
        Files.writeString(savepoint.resolve("_metadata"), name);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String path = dir + "/savepoint-" + id; // as Flink names it: under dir, with dir's scheme
      savepointTaken(path);
      result.complete(JobOutcome.finished(Map.of()));
      return path;
    }

    @Override
    public void cancel() {
      result.complete(
          new JobOutcome(
              JobStatus.CANCELED, Map.of(), Optional.of(new IllegalStateException("cancelled"))));
    }
  }
}
