package io.tributary.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineLockTest {

  @TempDir Path dir;

  @Test
  void aSecondUpdateIsRefusedWhileTheFirstHoldsTheLock() {
    PipelineStorage storage = PipelineStorage.at(dir.toString(), new Configuration());

    try (PipelineLock first = PipelineLock.acquire(storage, "shop")) {
      assertThat(PipelineLock.isHeld(storage)).isTrue();
      assertThatThrownBy(() -> PipelineLock.acquire(storage, "shop"))
          .isInstanceOf(PipelineLock.PipelineLockedException.class)
          .hasMessageStartingWith("Pipeline 'shop' is already running an update (started ")
          .hasMessageContaining("by process " + ProcessHandle.current().pid())
          .hasMessageEndingWith("Wait for it to end, or stop it with 'tributary stop'. If that process is gone,"
              + " delete " + dir.toUri().toString().replace("file:///", "file:/") + "_tributary/lock.");
    }
    assertThat(PipelineLock.isHeld(storage)).isFalse();
    PipelineLock.acquire(storage, "shop").close();
  }

  @Test
  void aLockLeftByADeadProcessOnThisHostIsTakenOver() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.createDirectories(dir.resolve("_tributary"));
    Files.writeString(dir.resolve("_tributary/lock"),
        InetAddress.getLocalHost().getHostName() + " " + gone.pid() + " 2026-01-01T00:00:00Z\n");
    PipelineStorage storage = PipelineStorage.at(dir.toString(), new Configuration());

    try (PipelineLock lock = PipelineLock.acquire(storage, "shop")) {
      assertThat(Files.readString(dir.resolve("_tributary/lock"))).contains(" " + ProcessHandle.current().pid() + " ");
    }
  }
}
