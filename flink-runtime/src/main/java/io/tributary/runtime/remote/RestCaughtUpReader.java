package io.tributary.runtime.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.runtime.engine.ClusterSlots;
import io.tributary.runtime.source.CaughtUpGauges;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;

/**
 * Learns from a Flink cluster's REST API which sources of a job have caught up in an update: what a
 * runner that does not share a JVM with the JobManager uses instead of {@code CaughtUpRegistry}. It
 * reads the {@link CaughtUpGauges} of every source enumerator of the job, which the JobManager keeps in
 * its metric store (refreshed every {@code metrics.fetcher.update-interval}; set it to about 200 ms):
 *
 * <pre>{@code
 * RestCaughtUpReader reader = new RestCaughtUpReader(URI.create("http://127.0.0.1:8081"));
 * reader.await(jobId, updateId, List.of("bronze_orders/source"), Duration.ofMinutes(10));
 * // then stop the job with a savepoint
 * }</pre>
 *
 * <p>A source counts as caught up only when its {@code caughtUpIn} gauge names this update id. Plain
 * HTTP and JSON: the endpoints are {@code GET /jobs/<job>} (the vertices),
 * {@code GET /jobs/<job>/vertices/<vertex>/jm-operator-metrics} (the metric ids, such as
 * {@code Source__bronze_orders.coordinator.enumerator.caughtUpIn}) and the same with {@code ?get=ids}.
 */
public final class RestCaughtUpReader {

  private static final String ENUMERATOR = ".coordinator.enumerator.";
  private static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED", "SUSPENDED");

  private final URI rest;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();
  private final Duration pollInterval;

  /** A reader of the cluster whose REST endpoint is {@code rest} ({@code http://host:port}). */
  public RestCaughtUpReader(URI rest) {
    this(rest, Duration.ofMillis(100));
  }

  public RestCaughtUpReader(URI rest, Duration pollInterval) {
    this.rest = Objects.requireNonNull(rest, "rest");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * Waits until every source in {@code sourceIds} of job {@code jobId} reports caught up in update
   * {@code updateId}.
   *
   * @throws TimeoutException naming the sources that did not within {@code timeout}
   * @throws IllegalStateException if the job ends first (a triggered update's job never ends by itself)
   */
  public void await(String jobId, String updateId, Collection<String> sourceIds, Duration timeout)
      throws IOException, InterruptedException, TimeoutException {
    await(jobId, updateId, sourceIds, timeout, timeout);
  }

  /**
   * As {@link #await(String, String, Collection, Duration)}, waiting at most {@code left} of the whole
   * {@code timeout} the message names (a caller that resumes a wait after a failed read).
   */
  public void await(
      String jobId, String updateId, Collection<String> sourceIds, Duration left, Duration timeout)
      throws IOException, InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + left.toNanos();
    Set<String> missing = new TreeSet<>(sourceIds);
    while (true) {
      String state = jobState(jobId);
      if (TERMINAL.contains(state)) {
        throw new IllegalStateException(
            "Update "
                + updateId
                + ": job "
                + jobId
                + " is "
                + state
                + " before its sources "
                + missing
                + " caught up.");
      }
      missing.removeAll(caughtUp(jobId, updateId));
      if (missing.isEmpty()) {
        return;
      }
      if (System.nanoTime() >= deadline) {
        throw new TimeoutException(
            "Update "
                + updateId
                + ": source"
                + (missing.size() == 1 ? " " : "s ")
                + String.join(", ", missing.stream().map(id -> "'" + id + "'").toList())
                + " of job "
                + jobId
                + " did not catch up within "
                + timeout
                + " (read from "
                + rest
                + "). A source catches up once it "
                + "has handed out every file listed at the update's start and each reader waits for more: check "
                + "the job's exceptions and the JobManager's log, or give the update more time.");
      }
      Thread.sleep(pollInterval.toMillis());
    }
  }

  /** The ids of the sources of job {@code jobId} whose gauges say they caught up in {@code updateId}, now. */
  public Set<String> caughtUp(String jobId, String updateId)
      throws IOException, InterruptedException {
    Set<String> done = new TreeSet<>();
    for (Map<String, String> enumerator : enumerators(jobId)) {
      if (updateId.equals(enumerator.get(CaughtUpGauges.CAUGHT_UP_IN))) {
        done.add(enumerator.get(CaughtUpGauges.SOURCE_ID));
      }
    }
    return done;
  }

  /**
   * Whether every task of job {@code jobId} is RUNNING. A source can catch up while a downstream task is
   * still deploying or restoring (slowly, on a busy cluster); a stop-with-savepoint then fails with
   * "not being executed at the moment", so a runner waits for this first.
   */
  public boolean allTasksRunning(String jobId) throws IOException, InterruptedException {
    JsonNode job = get("/jobs/" + jobId);
    if (!"RUNNING".equals(job.path("state").asText()) || job.path("vertices").isEmpty()) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      if (vertex.path("tasks").path("RUNNING").asInt() != vertex.path("parallelism").asInt()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The task slots free on the cluster now ({@code GET /overview}, {@code slots-available}); empty if
   * the REST API does not answer or does not say.
   */
  public OptionalInt freeSlots() {
    try {
      JsonNode free = get("/overview").path("slots-available");
      return free.isInt() && free.asInt() >= 0 ? OptionalInt.of(free.asInt()) : OptionalInt.empty();
    } catch (IOException unreadable) {
      return OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.empty();
    }
  }

  /**
   * The task slots of the cluster, free now and in all ({@code GET /overview}, {@code slots-available}
   * and {@code slots-total}), for {@code cluster} as messages name it. Unknown when the REST API does
   * not answer, when no TaskManager has registered yet, or when the cluster's configuration ({@code
   * GET /jobmanager/config}) says its slots do not bound a job: TaskManagers started on demand
   * (Kubernetes, YARN) or the adaptive scheduler, which runs a job on fewer slots than its parallelism.
   */
  public ClusterSlots clusterSlots(String cluster) {
    JsonNode overview;
    Map<String, String> config = new HashMap<>();
    try {
      overview = get("/overview");
      for (JsonNode entry : get("/jobmanager/config")) {
        config.put(entry.path("key").asText(), entry.path("value").asText());
      }
    } catch (IOException unreadable) {
      return ClusterSlots.unknown(
          cluster, "its REST API did not answer (" + unreadable.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ClusterSlots.unknown(cluster, "interrupted while asking its REST API");
    }
    return SlotsOfCluster.of(cluster, overview, config);
  }

  /**
   * The latest task failure of job {@code jobId} in its exception history ({@code GET
   * /jobs/<job>/exceptions}), other than Flink's report that it failed during a stop-with-savepoint.
   */
  public java.util.Optional<Throwable> taskFailure(String jobId)
      throws IOException, InterruptedException {
    return RemoteTaskFailure.latest(get("/jobs/" + jobId + "/exceptions"));
  }

  /** The job's state as {@code GET /jobs/<job>} reports it ({@code RUNNING}, {@code FINISHED}…). */
  public String jobState(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId).path("state").asText();
  }

  /** Each source enumerator's caught-up gauges (name to value) across the job's vertices. */
  private List<Map<String, String>> enumerators(String jobId)
      throws IOException, InterruptedException {
    List<Map<String, String>> result = new ArrayList<>();
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      String metrics =
          "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/jm-operator-metrics";
      Set<String> prefixes = new LinkedHashSet<>();
      for (JsonNode metric : get(metrics)) {
        String id = metric.path("id").asText();
        if (id.endsWith(ENUMERATOR + CaughtUpGauges.SOURCE_ID)) {
          prefixes.add(id.substring(0, id.length() - CaughtUpGauges.SOURCE_ID.length()));
        }
      }
      if (prefixes.isEmpty()) {
        continue;
      }
      List<String> wanted = new ArrayList<>();
      for (String prefix : prefixes) {
        wanted.add(prefix + CaughtUpGauges.SOURCE_ID);
        wanted.add(prefix + CaughtUpGauges.CAUGHT_UP_IN);
      }
      Map<String, String> values = new HashMap<>();
      String query =
          String.join(
              ",",
              wanted.stream().map(id -> URLEncoder.encode(id, StandardCharsets.UTF_8)).toList());
      for (JsonNode metric : get(metrics + "?get=" + query)) {
        values.put(metric.path("id").asText(), metric.path("value").asText());
      }
      for (String prefix : prefixes) {
        Map<String, String> enumerator = new HashMap<>();
        enumerator.put(CaughtUpGauges.SOURCE_ID, values.get(prefix + CaughtUpGauges.SOURCE_ID));
        enumerator.put(
            CaughtUpGauges.CAUGHT_UP_IN, values.get(prefix + CaughtUpGauges.CAUGHT_UP_IN));
        result.add(enumerator);
      }
    }
    return result;
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(rest.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "GET "
              + rest.resolve(path)
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
    return json.readTree(response.body());
  }
}
