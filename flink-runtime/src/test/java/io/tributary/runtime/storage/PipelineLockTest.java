package io.tributary.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.runtime.config.PipelineConfigException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineLockTest {

  private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
  private static final PipelineLock.Lease LEASE =
      new PipelineLock.Lease(Duration.ofSeconds(10), Duration.ofSeconds(60));

  @TempDir Path dir;

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    private volatile Instant now;

    MovingClock(Instant start) {
      this.now = start;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void aSecondUpdateIsRefusedWhileTheFirstHoldsTheLock() {
    PipelineStorage storage = PipelineStorage.at(dir.toString(), new Configuration());

    try (PipelineLock first = PipelineLock.acquire(storage, "shop")) {
      assertThat(PipelineLock.isHeld(storage)).isTrue();
      assertThatThrownBy(() -> PipelineLock.acquire(storage, "shop"))
          .isInstanceOf(PipelineLock.PipelineLockedException.class)
          .hasMessageStartingWith("Pipeline 'shop' is already running an update (started ")
          .hasMessageContaining("by process " + ProcessHandle.current().pid())
          .hasMessageEndingWith(
              "Wait for it to end, or stop it with 'tributary stop'. If that process is gone,"
                  + " delete "
                  + dir.toUri().toString().replace("file:///", "file:/")
                  + "_tributary/lock.");
    }
    assertThat(PipelineLock.isHeld(storage)).isFalse();
    PipelineLock.acquire(storage, "shop").close();
  }

  @Test
  void
      aLockWhoseHeartbeatIsOlderThanTheLeaseIsTakenOverEvenWithThisHostAndALivePidAndSaysWhoseItWas()
          throws Exception {
    // a restarted container: same host name, and the dead process's PID is alive again (here: ours)
    String host = InetAddress.getLocalHost().getHostName();
    long pid = ProcessHandle.current().pid();
    writeLock(
        "{\"owner\":\"dead\",\"host\":\""
            + host
            + "\",\"pid\":"
            + pid
            + ",\"since\":\"2026-12-05T09:00:00Z\","
            + "\"heartbeat\":\""
            + T0
            + "\",\"update_number\":7,\"update_id\":\"u-7\"}\n");
    PipelineStorage storage = PipelineStorage.at(dir.toString(), new Configuration());
    MovingClock clock = new MovingClock(T0.plusSeconds(59));

    assertThatThrownBy(() -> PipelineLock.acquire(storage, "shop", LEASE, clock))
        .isInstanceOf(PipelineLock.PipelineLockedException.class)
        .hasMessage(
            "Pipeline 'shop' is already running an update (started 2026-12-05T09:00:00Z by process "
                + pid
                + " on "
                + host
                + ", update 7, last heartbeat 2026-12-05T10:00:00Z). Wait for it to end, or stop it with"
                + " 'tributary stop'. If that process is gone, delete "
                + storage.root()
                + "/_tributary/lock.");

    clock.advance(Duration.ofSeconds(2));
    try (PipelineLock lock = PipelineLock.acquire(storage, "shop", LEASE, clock)) {
      assertThat(lock.takenOver())
          .hasValueSatisfying(
              stale -> {
                assertThat(stale.describe())
                    .isEqualTo(
                        "process "
                            + pid
                            + " on host "
                            + host
                            + ", update 7 (u-7), holding it"
                            + " since 2026-12-05T09:00:00Z, last heartbeat 2026-12-05T10:00:00Z");
                assertThat(stale.updateNumber()).isEqualTo(OptionalLong.of(7));
              });
      assertThat(lock.holder().owner()).isNotEqualTo("dead");
      assertThat(Files.readString(dir.resolve("_tributary/lock")))
          .contains("\"heartbeat\":\"" + T0.plusSeconds(61));
    }
    assertThat(dir.resolve("_tributary/lock")).doesNotExist();
  }

  @Test
  void aDeadProcessOnThisHostWhoseHeartbeatIsFreshIsNotTakenOver() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    writeLock(
        "{\"owner\":\"other\",\"host\":\""
            + InetAddress.getLocalHost().getHostName()
            + "\",\"pid\":"
            + gone.pid()
            + ",\"since\":\""
            + T0
            + "\",\"heartbeat\":\""
            + T0.plusSeconds(30)
            + "\"}\n");
    PipelineStorage storage = PipelineStorage.at(dir.toString(), new Configuration());

    // another container with this host name may run that PID: only the lease tells
    assertThatThrownBy(
            () -> PipelineLock.acquire(storage, "shop", LEASE, new MovingClock(T0.plusSeconds(60))))
        .isInstanceOf(PipelineLock.PipelineLockedException.class)
        .hasMessageContaining("by process " + gone.pid() + " on ");
    assertThat(PipelineLock.isHeld(storage, LEASE, new MovingClock(T0.plusSeconds(60)))).isTrue();
    assertThat(PipelineLock.isHeld(storage, LEASE, new MovingClock(T0.plusSeconds(91)))).isFalse();
  }

  @Test
  void aLiveHolderRenewsItsHeartbeatSoItIsNeverTakenOver() throws Exception {
    PipelineStorage storage = PipelineStorage.at(dir.toString(), new Configuration());
    MovingClock clock = new MovingClock(T0);
    PipelineLock.Lease fast = new PipelineLock.Lease(Duration.ofMillis(20), Duration.ofSeconds(60));

    try (PipelineLock holder = PipelineLock.acquire(storage, "shop", fast, clock)) {
      holder.nameUpdate(3, "u-3");
      clock.advance(Duration.ofMinutes(10));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!Files.readString(dir.resolve("_tributary/lock"))
          .contains("\"heartbeat\":\"" + clock.instant() + "\"")) {
        assertThat(System.nanoTime())
            .as("the heartbeat is renewed within 10 s")
            .isLessThan(deadline);
        Thread.sleep(10);
      }

      assertThatThrownBy(() -> PipelineLock.acquire(storage, "shop", fast, clock))
          .isInstanceOf(PipelineLock.PipelineLockedException.class)
          .hasMessageContaining(", update 3, last heartbeat " + clock.instant() + ")");
      assertThat(holder.takenOver()).isEmpty();
      assertThat(PipelineLock.heldHere(storage)).containsSame(holder);
    }
    assertThat(PipelineLock.heldHere(storage)).isEmpty();
  }

  @Test
  void aLockOfAnEarlierReleaseIsTakenOverOnceItsStartIsOlderThanTheLease() throws Exception {
    writeLock(InetAddress.getLocalHost().getHostName() + " 1 2026-01-01T00:00:00Z\n");
    PipelineStorage storage = PipelineStorage.at(dir.toString(), new Configuration());

    try (PipelineLock lock = PipelineLock.acquire(storage, "shop")) {
      assertThat(lock.takenOver().orElseThrow().describe())
          .startsWith("process 1 on host ")
          .endsWith(
              ", before its update had a number, holding it since 2026-01-01T00:00:00Z, last heartbeat"
                  + " 2026-01-01T00:00:00Z");
      assertThat(Files.readString(dir.resolve("_tributary/lock")))
          .contains("\"pid\":" + ProcessHandle.current().pid());
    }
  }

  @Test
  void theLeaseComesFromTheConfigurationAndMustOutlastTheHeartbeat() {
    assertThat(PipelineLock.Lease.fromConfiguration("shop", Map.of())).isEqualTo(LEASE);
    assertThat(
            PipelineLock.Lease.fromConfiguration(
                "shop",
                Map.of(
                    "pipelines.lock.heartbeatInterval",
                    "2 s",
                    "pipelines.lock.leaseDuration",
                    "15 s")))
        .isEqualTo(new PipelineLock.Lease(Duration.ofSeconds(2), Duration.ofSeconds(15)));
    assertThatThrownBy(
            () ->
                PipelineLock.Lease.fromConfiguration(
                    "shop", Map.of("pipelines.lock.leaseDuration", "5 s")))
        .isInstanceOf(PipelineConfigException.class)
        .hasMessage(
            "Pipeline 'shop': pipelines.lock.leaseDuration (5 s) is not longer than"
                + " pipelines.lock.heartbeatInterval (10 s), so a live update's lock would look stale between two"
                + " heartbeats. Make the lease several heartbeats long, such as 60 s with a heartbeat every 10 s.");
    assertThatThrownBy(
            () ->
                PipelineLock.Lease.fromConfiguration(
                    "shop", Map.of("pipelines.lock.heartbeatInterval", "often")))
        .isInstanceOf(PipelineConfigException.class)
        .hasMessage(
            "Pipeline 'shop': pipelines.lock.heartbeatInterval is 'often'. Set it to a positive duration,"
                + " such as '10 s'.");
  }

  private void writeLock(String text) throws Exception {
    Files.createDirectories(dir.resolve("_tributary"));
    Files.writeString(dir.resolve("_tributary/lock"), text);
  }
}
