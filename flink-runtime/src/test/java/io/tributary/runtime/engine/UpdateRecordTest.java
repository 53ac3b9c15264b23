package io.tributary.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.runtime.eventlog.Redaction;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The update record names each job as it is submitted, with the cluster it runs on, and the jobs a
 * killed client left on a cluster are found from it once its update is closed as ended without closing.
 */
class UpdateRecordTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void theRunningRecordNamesEachJobAsItIsSubmitted() throws Exception {
    PipelineStorage storage = PipelineStorage.at(dir.toString(), HadoopSettings.none());
    UpdateRecord record =
        UpdateRecord.reserve(
            storage, "shop", "u-1", Instant.parse("2026-01-01T00:00:00Z"), Redaction.NONE);
    record.jobSubmitting("bronze_orders", "STREAMING", "aa", Optional.of("jm:8081"));
    record.jobSubmitted("aa", new CompletableFuture<>());

    JsonNode written = read(1);
    assertThat(written.path("state").asText()).isEqualTo("RUNNING");
    assertThat(written.path("cluster").asText()).isEqualTo("jm:8081");
    assertThat(written.path("jobs").toString())
        .isEqualTo("[{\"job\":\"bronze_orders\",\"mode\":\"STREAMING\",\"job_id\":\"aa\"}]");

    // an ended recomputation leaves the record when the next job is submitted; a running one stays
    CompletableFuture<Object> gold = new CompletableFuture<>();
    record.jobSubmitting("gold", "BATCH", "bb", Optional.of("jm:8081"));
    record.jobSubmitted("bb", gold);
    gold.complete(null);
    record.jobSubmitting("gold", "BATCH", "cc", Optional.of("jm:8081"));
    record.jobSubmitted("cc", new CompletableFuture<>());
    assertThat(read(1).path("jobs").findValuesAsText("job_id")).containsExactly("aa", "cc");
  }

  @Test
  void jobsOfAnUpdateEndedWithoutClosingAreLeftRunningUntilMarkedStopped() throws Exception {
    PipelineStorage storage = PipelineStorage.at(dir.toString(), HadoopSettings.none());
    UpdateRecord record =
        UpdateRecord.reserve(storage, "shop", "u-1", Instant.now(), Redaction.NONE);
    record.jobSubmitting("bronze_orders", "STREAMING", "aa", Optional.of("jm:8081"));
    record.jobSubmitting("gold", "BATCH", "bb", Optional.of("jm:8081"));
    UpdateRecord embedded =
        UpdateRecord.reserve(storage, "shop", "u-2", Instant.now(), Redaction.NONE);
    embedded.jobSubmitting("bronze_orders", "STREAMING", "dd", Optional.empty());

    // still RUNNING: no update closed it, so nothing is taken for left
    assertThat(UpdateRecord.leftRunning(storage, 3)).isEmpty();
    for (int n = 1; n <= 2; n++) {
      Path file = dir.resolve("_tributary/updates/" + String.format("%06d.json", n));
      // as AbandonedUpdates closes it
      com.fasterxml.jackson.databind.node.ObjectNode closed =
          (com.fasterxml.jackson.databind.node.ObjectNode) read(n);
      closed.put("state", "FAILED").put("ended_without_closing", true);
      Files.writeString(file, closed.toString());
    }
    assertThat(UpdateRecord.leftRunning(storage, 3))
        .containsExactly(
            new UpdateRecord.LeftJob(1, "u-1", "jm:8081", "bronze_orders", "STREAMING", "aa"),
            new UpdateRecord.LeftJob(1, "u-1", "jm:8081", "gold", "BATCH", "bb"));
    assertThat(UpdateRecord.leftRunning(storage, 1))
        .as("only updates below the current one")
        .isEmpty();

    UpdateRecord.markStopped(
        storage,
        UpdateRecord.leftRunning(storage, 3).get(0),
        3,
        "SAVEPOINT",
        Optional.of("file:/sp/savepoint-1"));
    assertThat(UpdateRecord.leftRunning(storage, 3))
        .extracting(UpdateRecord.LeftJob::jobId)
        .containsExactly("bb");
    JsonNode job = read(1).path("jobs").get(0);
    assertThat(job.path("stopped_by_update").asLong()).isEqualTo(3);
    assertThat(job.path("stopped").asText()).isEqualTo("SAVEPOINT");
    assertThat(job.path("savepoint").asText()).isEqualTo("file:/sp/savepoint-1");
  }

  /**
   * Jobs of one update side by side are submitted from threads of their own (TriggeredUpdate): every
   * one of them is named in the RUNNING record, none overwritten by a write of another, so the next
   * update finds them all once a killed client left them.
   */
  @Test
  void jobsSubmittedSideBySideAreAllNamedAndAllFoundLeftRunning() throws Exception {
    PipelineStorage storage = PipelineStorage.at(dir.toString(), HadoopSettings.none());
    UpdateRecord record =
        UpdateRecord.reserve(storage, "shop", "u-1", Instant.now(), Redaction.NONE);
    int threads = 6;
    int jobsEach = 5;
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    java.util.List<java.util.concurrent.Future<?>> submitted = new java.util.ArrayList<>();
    java.util.Set<String> ids = new java.util.TreeSet<>();
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        for (int j = 0; j < jobsEach; j++) {
          ids.add("job" + thread + "-" + j);
        }
        submitted.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int j = 0; j < jobsEach; j++) {
                    String id = "job" + thread + "-" + j;
                    record.jobSubmitting(
                        "flow_" + thread + "_" + j, "STREAMING", id, Optional.of("jm:8081"));
                    record.jobSubmitted(id, new CompletableFuture<>());
                  }
                  return null;
                }));
      }
      for (java.util.concurrent.Future<?> future : submitted) {
        future.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    JsonNode written = read(1);
    assertThat(written.path("state").asText()).isEqualTo("RUNNING");
    assertThat(written.path("jobs").findValuesAsText("job_id"))
        .containsExactlyInAnyOrderElementsOf(ids);
    Path file = dir.resolve("_tributary/updates/000001.json");
    com.fasterxml.jackson.databind.node.ObjectNode closed =
        (com.fasterxml.jackson.databind.node.ObjectNode) written;
    closed.put("state", "FAILED").put("ended_without_closing", true);
    Files.writeString(file, closed.toString());
    assertThat(UpdateRecord.leftRunning(storage, 2))
        .extracting(UpdateRecord.LeftJob::jobId)
        .containsExactlyInAnyOrderElementsOf(ids);
  }

  private JsonNode read(long number) throws Exception {
    return JSON.readTree(
        Files.readString(dir.resolve("_tributary/updates/" + String.format("%06d.json", number))));
  }
}
