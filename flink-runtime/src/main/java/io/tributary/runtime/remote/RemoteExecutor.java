package io.tributary.runtime.remote;

import io.tributary.runtime.config.PipelineSettings;
import io.tributary.runtime.engine.ClusterSlots;
import io.tributary.runtime.engine.JobExecutor;
import io.tributary.runtime.engine.JobOutcome;
import io.tributary.runtime.engine.JobSubmission;
import io.tributary.runtime.engine.SubmittedJob;
import io.tributary.runtime.engine.SubmittedJobBase;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.OptionalFailure;
import org.apache.flink.util.SerializedValue;

/**
 * Runs jobs on a Flink session cluster through its REST API (flink-clients' {@link RestClusterClient}):
 * the executor behind {@code tributary start --cluster HOST:PORT}, {@code flink.cluster} in
 * {@code pipeline.yml} and {@code Tributary.pipeline(…).cluster("host:8081")}.
 *
 * <pre>{@code
 * try (RemoteExecutor executor = RemoteExecutor.connect("127.0.0.1:8081", JobJars.forPipeline(classes))) {
 *   SubmittedJob job = executor.submit(submission);
 * }
 * }</pre>
 *
 * <p>Nothing relies on sharing a JVM with the tasks: each stream graph is submitted as Flink's own
 * session executor submits it (the JobManager compiles it) and carries the same jar files (Tributary's deployable jar and the pipeline's classes), which the cluster's blob server
 * stores per job; sources report caught up through their enumerator gauges, read over REST by a
 * {@link RestCaughtUpReader} (a source that does not report within the caught-up timeout fails its job,
 * naming the source); live accumulators arrive at the cluster's heartbeat interval, final ones with the
 * job's result. A failure arrives as Flink's {@code SerializedThrowable}, whose message and causes are
 * the original ones.
 */
public final class RemoteExecutor implements JobExecutor {

  /** How long a job's sources may take to catch up unless {@value PipelineSettings#CAUGHT_UP_TIMEOUT} says. */
  public static final Duration DEFAULT_CAUGHT_UP_TIMEOUT =
      PipelineSettings.DEFAULT.caughtUpTimeout();

  private final RestClusterClient<StandaloneClusterId> client;
  private final RestCaughtUpReader reader;
  private final List<Path> jars;
  private final Duration caughtUpTimeout;
  private final String address;
  private final ClusterJobWatch watch;
  private final ExecutorService waiting =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "tributary-remote-caught-up");
            thread.setDaemon(true);
            return thread;
          });

  private RemoteExecutor(
      String address,
      RestClusterClient<StandaloneClusterId> client,
      RestCaughtUpReader reader,
      List<Path> jars,
      Duration caughtUpTimeout) {
    this.address = address;
    this.client = client;
    this.reader = reader;
    this.jars = List.copyOf(jars);
    this.caughtUpTimeout = Objects.requireNonNull(caughtUpTimeout, "caughtUpTimeout");
    this.watch =
        new ClusterJobWatch(
            reader,
            "the Flink cluster at " + address,
            "its REST endpoint is the HOST:PORT of --cluster or flink.cluster",
            caughtUpTimeout);
  }

  /** An executor for the cluster whose REST endpoint is {@code hostPort}, shipping {@code jars} with each job. */
  public static RemoteExecutor connect(String hostPort, List<Path> jars) {
    return connect(hostPort, jars, DEFAULT_CAUGHT_UP_TIMEOUT);
  }

  public static RemoteExecutor connect(String hostPort, List<Path> jars, Duration caughtUpTimeout) {
    HostPort target = HostPort.parse(hostPort);
    Configuration conf = new Configuration();
    conf.set(RestOptions.ADDRESS, target.host());
    conf.set(RestOptions.PORT, target.port());
    try {
      RestClusterClient<StandaloneClusterId> client =
          new RestClusterClient<>(conf, StandaloneClusterId.getInstance());
      return new RemoteExecutor(
          target.toString(),
          client,
          new RestCaughtUpReader(URI.create("http://" + target.host() + ":" + target.port())),
          jars,
          caughtUpTimeout);
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot create a client for the Flink cluster at " + target + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<String> cluster() {
    return Optional.of(address);
  }

  /**
   * The slots free on the cluster when asked (the update asks once, before its first job), read from
   * its REST API ({@code GET /overview}, {@code slots-available}): a session cluster's other jobs hold
   * theirs, so its total would overstate what an update's jobs can have, and a job that does not get
   * its slots waits for them while its caught-up wait runs. Empty, so one job at a time, when the REST
   * API does not answer.
   */
  @Override
  public OptionalInt slots() {
    return reader.freeSlots();
  }

  /** The cluster's slots, free and in all, from its REST API ({@link RestCaughtUpReader#clusterSlots}). */
  @Override
  public ClusterSlots clusterSlots() {
    return reader.clusterSlots("the Flink cluster at " + address);
  }

  /**
   * A job already on the cluster (submitted by another client, say one that was killed), to watch, stop
   * with a savepoint or cancel as if this executor had submitted it; its caught-up signal is not read.
   */
  public SubmittedJob attach(String jobId) {
    JobID id = JobID.fromHexString(jobId);
    CompletableFuture<JobOutcome> result = new CompletableFuture<>();
    client
        .requestJobResult(id)
        .whenComplete(
            (jobResult, error) ->
                result.complete(
                    error != null
                        ? JobOutcome.failed(ExceptionUtils.stripCompletionException(error))
                        : outcome(jobResult)));
    return new Remote(id, result, CompletableFuture.completedFuture(null));
  }

  /** The address of the cluster, {@code host:port}. */
  public String address() {
    return address;
  }

  /** The jars every job carries. */
  public List<Path> jars() {
    return jars;
  }

  @Override
  public SubmittedJob submit(JobSubmission submission) {
    // the stream graph itself, as Flink's own session executor submits it: the JobManager compiles
    // it (a batch job's adaptive joins are planned there), loading the user classes from the jars
    StreamGraph graph = submission.graph();
    JobID id = graph.getOptionalJobId().orElseGet(JobID::new);
    graph.setJobId(id);
    for (Path jar : jars) {
      graph.addJar(new org.apache.flink.core.fs.Path(jar.toUri()));
    }
    graph.setSavepointRestoreSettings(
        submission
            .restoreFrom()
            .map(path -> SavepointRestoreSettings.forPath(path, false))
            .orElse(SavepointRestoreSettings.none()));
    try {
      graph.serializeUserDefinedInstances();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot serialize job '"
              + submission.job()
              + "' for the Flink cluster at "
              + address
              + ": "
              + e.getMessage(),
          e);
    }
    try {
      client.submitJob(graph).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while submitting job '" + submission.job() + "' to " + address, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "The Flink cluster at "
              + address
              + " refused job '"
              + submission.job()
              + "': "
              + ExceptionUtils.stripExecutionException(e).getMessage(),
          e.getCause());
    }
    ClusterJobWatch.WatchedResult result = new ClusterJobWatch.WatchedResult();
    client
        .requestJobResult(id)
        .whenComplete(
            (jobResult, error) -> {
              if (error != null) {
                result.ended(JobOutcome.failed(ExceptionUtils.stripCompletionException(error)));
              } else {
                result.ended(outcome(jobResult));
              }
            });
    CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    if (submission.caughtUpSources().isEmpty()) {
      caughtUp.complete(null);
    } else {
      waiting.execute(
          () ->
              watch.awaitCaughtUp(
                  id.toHexString(), submission, caughtUp, result, () -> cancelQuietly(id)));
    }
    return new Remote(id, result.future(), caughtUp);
  }

  private static JobOutcome outcome(JobResult result) {
    JobStatus status = result.getJobStatus().orElse(JobStatus.FAILED);
    ClassLoader loader = RemoteExecutor.class.getClassLoader();
    if (!result.isSuccess()) {
      // a SerializedThrowable of a class this side lacks keeps the original's message and causes
      Throwable cause =
          result
              .getSerializedThrowable()
              .map(t -> t.deserializeError(loader))
              .orElse(new IllegalStateException("status " + status));
      return new JobOutcome(status, Map.of(), Optional.of(cause));
    }
    Map<String, Object> values = new HashMap<>();
    for (Map.Entry<String, SerializedValue<OptionalFailure<Object>>> entry :
        result.getAccumulatorResults().entrySet()) {
      try {
        OptionalFailure<Object> value = entry.getValue().deserializeValue(loader);
        if (!value.isFailure() && value.getUnchecked() != null) {
          values.put(entry.getKey(), value.getUnchecked());
        }
      } catch (IOException | ClassNotFoundException unreadable) {
        // an accumulator of a class this side cannot load: not one the engine reads
      }
    }
    return new JobOutcome(status, values, Optional.empty());
  }

  private void cancelQuietly(JobID id) {
    ClusterJobWatch.cancelAndWait(() -> client.cancel(id));
  }

  @Override
  public void close() {
    waiting.shutdownNow();
    client.close();
  }

  private final class Remote extends SubmittedJobBase {
    Remote(JobID id, CompletableFuture<JobOutcome> result, CompletableFuture<Void> caughtUp) {
      super(id, result, caughtUp);
    }

    @Override
    public CompletableFuture<JobStatus> status() {
      return client.getJobStatus(jobId());
    }

    @Override
    public CompletableFuture<Map<String, Object>> accumulators() {
      return ClusterJobWatch.counts(
          client.getAccumulators(jobId(), RemoteExecutor.class.getClassLoader()));
    }

    @Override
    public String stopWithSavepoint(String dir, Duration timeout) throws InterruptedException {
      return watch.stopWithSavepoint(
          jobId().toHexString(),
          result(),
          timeout,
          () -> client.stopWithSavepoint(jobId(), false, dir, SavepointFormatType.NATIVE));
    }

    @Override
    public void cancel() {
      if (!result().isDone()) {
        cancelQuietly(jobId());
      }
    }
  }

  /** {@code host:port} of a cluster's REST endpoint. */
  public record HostPort(String host, int port) {

    public static HostPort parse(String hostPort) {
      Objects.requireNonNull(hostPort, "hostPort");
      String value = hostPort.strip().replaceFirst("^https?://", "").replaceFirst("/+$", "");
      int colon = value.lastIndexOf(':');
      if (colon <= 0 || colon == value.length() - 1) {
        throw new IllegalArgumentException(
            "Flink cluster '"
                + hostPort
                + "': expected HOST:PORT of its REST "
                + "endpoint, such as 127.0.0.1:8081 (the JobManager's rest.port).");
      }
      try {
        int port = Integer.parseInt(value.substring(colon + 1));
        if (port < 1 || port > 65535) {
          throw new NumberFormatException();
        }
        return new HostPort(value.substring(0, colon), port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "Flink cluster '"
                + hostPort
                + "': the port must be a number from 1 to "
                + "65535, such as 127.0.0.1:8081 (the JobManager's rest.port).");
      }
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }
}
