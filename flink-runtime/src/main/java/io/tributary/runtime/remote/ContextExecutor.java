package io.tributary.runtime.remote;

import io.tributary.runtime.engine.ClusterSlots;
import io.tributary.runtime.engine.JobExecutor;
import io.tributary.runtime.engine.JobOutcome;
import io.tributary.runtime.engine.JobSubmission;
import io.tributary.runtime.engine.SubmittedJob;
import io.tributary.runtime.engine.SubmittedJobBase;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.client.JobCancellationException;
import org.apache.flink.runtime.jobmanager.HighAvailabilityMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.ExceptionUtils;

/**
 * Runs jobs through Flink's context environment: the executor of an update whose process is a Flink
 * program's {@code main}, started by {@code flink run … tributary-flink.jar start pipeline.yml} (the jobs go
 * to the session cluster that {@code flink run} targets) or by an application cluster's entry point
 * ({@code flink run-application}, {@code standalone-job.sh}, a Kubernetes {@code FlinkDeployment} with a
 * {@code job}: the update runs inside the JobManager and its jobs are the application's jobs).
 *
 * <pre>{@code
 * Optional<ContextExecutor> executor = ContextExecutor.ofContext(caughtUpTimeout);   // empty outside flink run / an application
 * }</pre>
 *
 * <p>Each job is submitted with {@code StreamExecutionEnvironment.getExecutionEnvironment(conf).executeAsync(graph)}
 * on a context environment made for it, whose configuration names the savepoint the job restores
 * (Flink's executors take the restore path from the environment's configuration, not from the graph).
 * The jars are Flink's: the program's jar (and {@code -C} classpaths, or the application's
 * {@code usrlib/}). Status, accumulators, stop-with-savepoint and cancel go through the {@link JobClient};
 * sources report caught up through their enumerator gauges, read over the JobManager's REST API
 * ({@code rest.address}/{@code rest.port} of the context's configuration), as {@link RemoteExecutor} reads them.
 *
 * <p>An application with high availability is refused ({@link #check}): Flink lets such an application
 * run at most one streaming job, and an update runs several jobs.
 */
public final class ContextExecutor implements JobExecutor {

  /** {@code execution.target} of an application cluster's context (Flink's {@code EmbeddedExecutor.NAME}). */
  public static final String APPLICATION_TARGET = "embedded";

  private final Configuration context;
  private final RestCaughtUpReader reader;
  private final Duration caughtUpTimeout;
  private final String describe;
  private final ClusterJobWatch watch;
  private final ExecutorService waiting =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "tributary-context-executor");
            thread.setDaemon(true);
            return thread;
          });

  private ContextExecutor(Configuration context, Duration caughtUpTimeout) {
    this.context = context;
    this.caughtUpTimeout = caughtUpTimeout;
    String host = context.getOptional(RestOptions.ADDRESS).orElse("localhost");
    int port = context.get(RestOptions.PORT);
    this.reader = new RestCaughtUpReader(URI.create("http://" + host + ":" + port));
    this.describe =
        (isApplication(context) ? "the application cluster" : "the Flink cluster")
            + " at "
            + host
            + ":"
            + port;
    this.watch =
        new ClusterJobWatch(
            reader,
            describe,
            "its REST endpoint is rest.address:rest.port of the Flink configuration",
            caughtUpTimeout);
  }

  /**
   * The executor of the Flink context environment this JVM runs under ({@code flink run}, an
   * application cluster), or empty when there is none (a plain {@code java} process); it waits
   * {@code caughtUpTimeout} at most for a source's caught-up signal.
   *
   * @throws FlinkDeploymentException if the context is one an update cannot run in (see {@link #check})
   */
  public static Optional<ContextExecutor> ofContext(Duration caughtUpTimeout) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (!(env instanceof StreamContextEnvironment)) {
      return Optional.empty();
    }
    Configuration conf = Configuration.fromMap(env.getConfiguration().toMap());
    check(conf);
    if (jobLimit(env, "jobCountLimit") < 2) {
      throw FlinkDeploymentException.oneJobAtMost();
    }
    return Optional.of(new ContextExecutor(conf, caughtUpTimeout));
  }

  /**
   * Whether this JVM runs under a Flink context environment ({@code flink run}, an application
   * cluster), where {@link #ofContext} has an executor: an update then starts no cluster of its own.
   */
  public static boolean inContext() {
    return StreamExecutionEnvironment.getExecutionEnvironment() instanceof StreamContextEnvironment;
  }

  /**
   * A job limit of a context environment (Flink 2.3's {@code StreamContextEnvironment} fields
   * {@code jobCountLimit}, {@code streamingJobCountLimit}); unlimited if this Flink has no such field.
   */
  static int jobLimit(StreamExecutionEnvironment env, String field) {
    try {
      java.lang.reflect.Field limit = StreamContextEnvironment.class.getDeclaredField(field);
      limit.setAccessible(true);
      return limit.getInt(env);
    } catch (ReflectiveOperationException | RuntimeException unknown) {
      return Integer.MAX_VALUE;
    }
  }

  /** Whether {@code conf} is an application cluster's context (the update runs in the JobManager). */
  public static boolean isApplication(Configuration conf) {
    return APPLICATION_TARGET.equals(conf.get(DeploymentOptions.TARGET));
  }

  /**
   * Refuses a context an update cannot run in. Flink 2.3 limits the jobs of an application
   * ({@code ApplicationJobUtils.getJobCountLimits}): with high availability at most one streaming job
   * ("Cannot have more than 1 streaming jobs in a single environment."), with
   * {@code execution.submit-failed-job-on-application-error} at most one job; and a savepoint given to
   * the program ({@code flink run -s}, {@code --fromSavepoint}) would be restored by every job.
   */
  public static void check(Configuration conf) {
    if (isApplication(conf) && HighAvailabilityMode.isHighAvailabilityModeActivated(conf)) {
      throw FlinkDeploymentException.applicationWithHighAvailability(
          conf.get(HighAvailabilityOptions.HA_MODE));
    }
    if (isApplication(conf) && conf.get(DeploymentOptions.SUBMIT_FAILED_JOB_ON_APPLICATION_ERROR)) {
      throw FlinkDeploymentException.applicationWithOneJob();
    }
    conf.getOptional(StateRecoveryOptions.SAVEPOINT_PATH)
        .ifPresent(
            path -> {
              throw FlinkDeploymentException.givenASavepoint(path);
            });
  }

  /**
   * The slots free on the cluster the context submits to when asked (the update asks once, before its
   * first job), read from its REST API ({@code GET /overview}, {@code slots-available}): an update's
   * jobs run side by side as far as these hold them. Empty, so one job at a time, when the REST API does
   * not answer; an application cluster whose task managers start on demand (Kubernetes, YARN) has none
   * free before its first job, and so runs one at a time too.
   */
  @Override
  public OptionalInt slots() {
    return reader.freeSlots();
  }

  /** The cluster's slots, free and in all, from its REST API ({@link RestCaughtUpReader#clusterSlots}). */
  @Override
  public ClusterSlots clusterSlots() {
    return reader.clusterSlots(describe);
  }

  /** Where the jobs go, for messages: the session or application cluster's REST endpoint. */
  public String describe() {
    return describe;
  }

  @Override
  public SubmittedJob submit(JobSubmission submission) {
    StreamGraph graph = submission.graph();
    Configuration conf = new Configuration();
    submission.restoreFrom().ifPresent(path -> conf.set(StateRecoveryOptions.SAVEPOINT_PATH, path));
    JobClient client;
    try {
      // a context environment of its own per job: Flink's executors read the restore path from it
      client = StreamExecutionEnvironment.getExecutionEnvironment(conf).executeAsync(graph);
    } catch (Exception e) {
      throw new IllegalStateException(
          "Flink refused job '"
              + submission.job()
              + "' on "
              + describe
              + ": "
              + ExceptionUtils.stripExecutionException(e).getMessage(),
          e);
    }
    JobID id = client.getJobID();
    ClusterJobWatch.WatchedResult result = new ClusterJobWatch.WatchedResult();
    client
        .getJobExecutionResult()
        .whenComplete((done, error) -> result.ended(outcome(client, done, error)));
    CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    if (submission.caughtUpSources().isEmpty()) {
      caughtUp.complete(null);
    } else {
      waiting.execute(
          () ->
              watch.awaitCaughtUp(
                  id.toHexString(), submission, caughtUp, result, () -> cancelQuietly(client)));
    }
    return new Context(id, client, result.future(), caughtUp);
  }

  private static JobOutcome outcome(JobClient client, JobExecutionResult done, Throwable error) {
    if (error == null) {
      Map<String, Object> values = new HashMap<>();
      done.getAllAccumulatorResults()
          .forEach(
              (name, value) -> {
                if (value != null) {
                  values.put(name, value);
                }
              });
      return JobOutcome.finished(values);
    }
    Throwable cause = ExceptionUtils.stripCompletionException(error);
    cause = ExceptionUtils.stripExecutionException(cause);
    JobStatus status =
        ExceptionUtils.findThrowable(cause, JobCancellationException.class).isPresent()
            ? JobStatus.CANCELED
            : JobStatus.FAILED;
    // a JobExecutionException carries the job's failure as its cause
    Throwable failure =
        cause.getCause() != null
                && cause instanceof org.apache.flink.runtime.client.JobExecutionException
            ? cause.getCause()
            : cause;
    return new JobOutcome(status, Map.of(), Optional.of(failure));
  }

  @Override
  public void close() {
    waiting.shutdownNow();
  }

  private final class Context extends SubmittedJobBase {
    private final JobClient client;

    Context(
        JobID id,
        JobClient client,
        CompletableFuture<JobOutcome> result,
        CompletableFuture<Void> caughtUp) {
      super(id, result, caughtUp);
      this.client = client;
    }

    @Override
    public CompletableFuture<JobStatus> status() {
      return client.getJobStatus();
    }

    @Override
    public CompletableFuture<Map<String, Object>> accumulators() {
      return ClusterJobWatch.counts(client.getAccumulators());
    }

    @Override
    public String stopWithSavepoint(String dir, Duration timeout) throws InterruptedException {
      return watch.stopWithSavepoint(
          id(),
          result(),
          timeout,
          () -> client.stopWithSavepoint(false, dir, SavepointFormatType.NATIVE));
    }

    @Override
    public void cancel() {
      if (!result().isDone()) {
        cancelQuietly(client);
      }
    }
  }

  private static void cancelQuietly(JobClient client) {
    ClusterJobWatch.cancelAndWait(client::cancel);
  }
}
