package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a running {@code tributary start}, then a second start of the same pipeline, all
 * as separate processes: the second takes over the dead one's lock once its lease has expired and
 * says whose it was, closes the killed update as FAILED (it ended without closing), and both facts
 * are on its terminal, in {@code tributary status} and in the event log.
 */
class KilledUpdateProcessTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final String[] LEASE = {
    "--conf",
    "pipelines.lock.heartbeatInterval=500 ms",
    "--conf",
    "pipelines.lock.leaseDuration=3 s"
  };

  @TempDir Path dir;

  @Test
  void theNextStartTakesOverTheKilledUpdatesLockAndClosesItsUpdateSayingSo() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(input.resolve("part-1.json"), "{\"order_id\":\"o1\",\"amount\":5.0}\n");
    String common =
        "name: shop\nstorage: storage\nlibraries:\n  - "
            + TributaryCliProcessTest.Orders.class.getName()
            + "\nconfiguration:\n  source: "
            + input
            + "\nflink:\n  parallelism: 1\ntrigger:\n  interval: 1 s\n";
    Path continuous =
        Files.writeString(dir.resolve("continuous.yml"), common + "continuous: true\n");
    Path triggered =
        Files.writeString(dir.resolve("triggered.yml"), common + "continuous: false\n");
    Path lock = dir.resolve("storage/_tributary/lock");
    Path firstRecord = dir.resolve("storage/_tributary/updates/000001.json");

    CliProcess first = CliProcess.start(dir, args("start", continuous.toString()));
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!(first.outSoFar().contains("Running continuously")
        && first.outSoFar().matches("(?s).*orders +RUNNING.*")
        && Files.exists(lock)
        && Files.readString(lock).contains("\"update_number\":1"))) {
      assertThat(first.isAlive()).as("the first update runs: %s", first.outSoFar()).isTrue();
      assertThat(System.nanoTime())
          .as("the first update is running within %s", TIMEOUT)
          .isLessThan(deadline);
      Thread.sleep(200);
    }
    first.kill9();
    Instant killed = Instant.now();
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(Files.readString(firstRecord)).path("state").asText())
        .isEqualTo("RUNNING");
    assertThat(lock).exists();
    Thread.sleep(4_000); // the lease of 3 s runs out

    CliProcess.Result second = CliProcess.run(dir, TIMEOUT, args("start", triggered.toString()));

    assertThat(second.code()).as(second.toString()).isZero();
    String host = InetAddress.getLocalHost().getHostName();
    JsonNode closed = json.readTree(Files.readString(firstRecord));
    String firstId = closed.path("update_id").asText();
    assertThat(second.out())
        .as(second.toString())
        .containsPattern(
            "Took over the pipeline's lock from process "
                + first.pid()
                + " on host "
                + host
                + ", update 1 \\("
                + firstId
                + "\\), holding it since \\S+, last heartbeat \\S+: its heartbeat was older"
                + " than the lease, so that process is gone.\n")
        .containsPattern(
            "Update 1 ended without closing: the process running it stopped without ending it \\(killed,"
                + " or its machine lost\\) \\(process "
                + first.pid()
                + " on host "
                + host
                + "\\); last sign of life \\S+\\."
                + " Update 2 closed it as FAILED\\.")
        .contains("Update 2 COMPLETED in ");
    assertThat(closed.path("state").asText()).isEqualTo("FAILED");
    assertThat(closed.path("ended_without_closing").asBoolean()).isTrue();
    assertThat(closed.path("closed_by_update").asLong()).isEqualTo(2);
    Instant lastSeen = Instant.parse(closed.path("last_seen").asText());
    assertThat(lastSeen)
        .isAfter(Instant.parse(closed.path("started").asText()))
        .isBefore(killed.plusSeconds(1));
    assertThat(lock).doesNotExist();

    CliProcess.Result status = CliProcess.run(dir, TIMEOUT, "status", triggered.toString());
    assertThat(status.code()).as(status.toString()).isZero();
    assertThat(status.out())
        .containsPattern(
            "\n  #2    COMPLETED  started [^\n]+\n  #1    FAILED     started [^\n]+: Update 1"
                + " ended without closing: [^\n]+\n");

    CliProcess.Result progress =
        CliProcess.run(dir, TIMEOUT, "events", triggered.toString(), "--type", "update_progress");
    assertThat(progress.code()).as(progress.toString()).isZero();
    assertThat(progress.out())
        .containsPattern(
            "ERROR +update_progress +- +Update 1 is FAILED: it ended without"
                + " closing\\.\n    error: Update 1 ended without closing: ")
        .doesNotContain("Update 1 is COMPLETED");
    CliProcess.Result taken =
        CliProcess.run(dir, TIMEOUT, "events", triggered.toString(), "--type", "pipeline_lock");
    assertThat(taken.code()).as(taken.toString()).isZero();
    assertThat(taken.out().lines().toList())
        .singleElement()
        .asString()
        .contains(
            "WARN    pipeline_lock",
            "Took over the pipeline's lock from process "
                + first.pid()
                + " on host "
                + host
                + ", update 1 ("
                + firstId
                + ")");
  }

  private static String[] args(String... args) {
    String[] all = new String[args.length + LEASE.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(LEASE, 0, all, args.length, LEASE.length);
    return all;
  }
}
