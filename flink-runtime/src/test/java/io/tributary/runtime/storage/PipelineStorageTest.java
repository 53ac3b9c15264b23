package io.tributary.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which state a streaming job's next run restores, and what is kept of the old. */
class PipelineStorageTest {

  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;

  private PipelineStorage storage;

  @BeforeEach
  void setUp() {
    storage = PipelineStorage.at(dir.toString(), new Configuration());
  }

  @Test
  void aJobThatNeverSavedStateRestoresNothing() {
    assertThat(storage.stateToRestore("job")).isEmpty();
  }

  @Test
  void theNewestCompletedSnapshotWinsWhetherCheckpointOrSavepoint() throws Exception {
    Path pointed = snapshot(storage.savepointDir("job"), "savepoint-aaaa", 10);
    storage.setCurrentSavepoint("job", asUri(pointed));
    Path checkpoint = snapshot(storage.checkpointDir("job") + "/0123", "chk-7", 20);

    assertThat(storage.stateToRestore("job"))
        .as("a failed run's retained checkpoint is newer than the pointer")
        .hasValue(asUri(checkpoint));

    Path savepoint = snapshot(storage.savepointDir("job"), "savepoint-bbbb", 30);

    assertThat(storage.stateToRestore("job"))
        .as(
            "a savepoint completed (and its epoch committed) before the process died, the pointer not yet moved")
        .hasValue(asUri(savepoint));
  }

  @Test
  void anIncompleteSnapshotIsNeverRestored() throws Exception {
    Path pointed = snapshot(storage.savepointDir("job"), "savepoint-aaaa", 10);
    storage.setCurrentSavepoint("job", asUri(pointed));
    Files.createDirectories(
        Path.of(storage.savepointDir("job").replace("file:", ""), "savepoint-cccc"));
    Files.createDirectories(
        Path.of(storage.checkpointDir("job").replace("file:", ""), "0123", "chk-9"));

    assertThat(storage.stateToRestore("job")).hasValue(asUri(pointed));
  }

  @Test
  void movingThePointerLeavesOnlyTheCurrentSavepoint() throws Exception {
    snapshot(storage.savepointDir("job"), "savepoint-aaaa", 10);
    Path current = snapshot(storage.savepointDir("job"), "savepoint-bbbb", 20);

    storage.clearOlderSavepoints("job", asUri(current));

    try (var left = Files.list(current.getParent())) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("savepoint-bbbb");
    }
  }

  /** A completed snapshot: a folder with {@code _metadata} written {@code seconds} after T. */
  private static Path snapshot(String parent, String name, long seconds) throws Exception {
    Path folder = Files.createDirectories(Path.of(parent.replace("file:", ""), name));
    Path metadata = Files.writeString(folder.resolve("_metadata"), "state");
    Files.setLastModifiedTime(metadata, FileTime.from(T.plusSeconds(seconds)));
    return folder;
  }

  private static String asUri(Path folder) {
    return "file:" + folder.toAbsolutePath();
  }
}
