package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.engine.FakeExecutor;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An update whose predecessor was killed while its jobs ran on a cluster that cannot be asked now runs
 * nothing (the left jobs might still write the tables) and ends FAILED, saying which job, where, and
 * how to go on. (Stopping left jobs on a live cluster: {@code KilledClusterClientITCase} in {@code dist}.)
 */
class LeftRunningJobsTest {

  @TempDir Path dir;

  @Test
  void anUpdateRunsNothingWhileAJobLeftOnAClusterCannotBeAskedAbout() throws Exception {
    Path orders = Files.createDirectories(dir.resolve("in/orders"));
    Path customers = Files.createDirectories(dir.resolve("in/customers"));
    Files.writeString(customers.resolve("part-1.json"), "{\"id\":\"c1\",\"name\":\"Ada\"}\n");
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Path updates = Files.createDirectories(dir.resolve("storage/_tributary/updates"));
    // what a client killed after submitting its first job left: its record, still RUNNING
    Files.writeString(
        updates.resolve("000001.json"),
        "{\"pipeline\": \"shop\", \"update_id\": \"u-1\", \"number\": 1,"
            + " \"state\": \"RUNNING\", \"started\": \"2026-01-01T00:00:00Z\", \"cluster\": \"127.0.0.1:"
            + closedPort
            + "\", \"jobs\": [{\"job\": \"stream_orders\", \"mode\": \"STREAMING\","
            + " \"job_id\": \"58ff2968e850c403d76be2fce9034192\"}]}\n");
    FakeExecutor executor = new FakeExecutor();

    UpdateResult result =
        Tributary.pipeline(new UpdateEngineTest.Shop())
            .name("shop")
            .storage(dir.resolve("storage").toString())
            .configuration(Map.of("orders", orders.toString(), "customers", customers.toString()))
            .parallelism(1)
            .executor(executor)
            .run();

    assertThat(result.state()).isEqualTo(UpdateState.FAILED);
    assertThat(executor.jobs()).as("jobs submitted").isEmpty();
    assertThat(result.error())
        .hasValueSatisfying(
            error ->
                assertThat(error)
                    .startsWith(
                        "Update 1 left its streaming job 'stream_orders' (Flink job 58ff2968e850c403d76be2fce9034192) on"
                            + " the Flink cluster at 127.0.0.1:"
                            + closedPort
                            + ", and it could not be stopped: Cannot ask the Flink"
                            + " cluster at 127.0.0.1:"
                            + closedPort
                            + " about job 58ff2968e850c403d76be2fce9034192 (ConnectException")
                    .endsWith(
                        " Update 2 runs nothing while that job may still write the pipeline's tables: start again once the"
                            + " cluster answers. If that cluster is gone for good (its jobs with it), add \"stopped_by_update\": 2 to"
                            + " the job in "
                            + dir.resolve("storage/_tributary/updates")
                                .toUri()
                                .toString()
                                .replaceFirst("/$", "")
                                .replaceFirst("^file:///", "file:/")
                            + "/000001.json."));
    String record = Files.readString(updates.resolve("000002.json"));
    assertThat(record).contains("\"state\" : \"FAILED\"").doesNotContain("ended_without_closing");
    assertThat(Files.readString(updates.resolve("000001.json")))
        .contains("\"ended_without_closing\" : true")
        .doesNotContain("stopped_by_update");
  }
}
