package io.tributary.runtime.compat;

import io.tributary.runtime.Tributary;
import io.tributary.runtime.engine.EmbeddedCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a state compatibility fixture lives while it runs. Saved state names absolute paths (Auto Loader's
 * processed files are keyed by their absolute path, a retained checkpoint's metadata names its files, the
 * savepoint pointer names its savepoint), so a fixture is generated under {@link #ROOT} and restored to the
 * very same path before it runs, on any machine. Runs on one machine take {@link #lock()} in turn.
 */
final class StateCompatFixture {

  /** The fixed absolute path every fixture was generated under and is restored to. */
  static final Path ROOT = Path.of("/tmp/tributary-state-compat");

  static final Path ORDERS = ROOT.resolve("input/orders");
  static final Path CHANGES = ROOT.resolve("input/changes");
  static final Path STORAGE = ROOT.resolve("storage");

  private StateCompatFixture() {}

  /** Holds {@link #ROOT} for this JVM until closed: builds of other worktrees use the same path. */
  static AutoCloseable lock() throws IOException {
    FileChannel channel =
        FileChannel.open(
            Path.of(ROOT + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = channel.lock();
    return () -> {
      lock.release();
      channel.close();
    };
  }

  /** A triggered update of {@link StateCompatPipeline} (or {@code definition}) on the fixture's folders. */
  static Tributary.Builder update(StateCompatPipeline definition, EmbeddedCluster cluster) {
    return Tributary.pipeline(definition)
        .name("shop")
        .storage(STORAGE.toString())
        .configuration(
            Map.of("source.orders", ORDERS.toString(), "source.changes", CHANGES.toString()))
        .parallelism(2)
        .triggerInterval(Duration.ofMillis(300))
        .development(true)
        .cluster(cluster);
  }

  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> files = Files.walk(path)) {
      files
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }

  /** The fixture's list of each file's modification time: git keeps none, and restores choose by them. */
  static final String MODIFICATION_TIMES = "modification-times.txt";

  /**
   * Writes into {@code fixture} the modification time of each of its files, one {@code <millis> <path>} a line.
   * Which snapshot a job restores (the newest of its retained checkpoints and savepoints) is decided by
   * these times, and a checkout sets them all to its own time.
   */
  static void writeModificationTimes(Path fixture) throws IOException {
    StringBuilder lines = new StringBuilder();
    try (Stream<Path> files = Files.walk(fixture)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        lines
            .append(Files.getLastModifiedTime(file).toMillis())
            .append(' ')
            .append(fixture.relativize(file))
            .append('\n');
      }
    }
    Files.writeString(fixture.resolve(MODIFICATION_TIMES), lines);
  }

  /** Sets the modification times {@link #writeModificationTimes} listed in {@code fixture}. */
  static void applyModificationTimes(Path fixture) throws IOException {
    for (String line : Files.readAllLines(fixture.resolve(MODIFICATION_TIMES))) {
      int space = line.indexOf(' ');
      Files.setLastModifiedTime(
          fixture.resolve(line.substring(space + 1)),
          FileTime.fromMillis(Long.parseLong(line.substring(0, space))));
    }
  }

  /** Copies the folder {@code from} to {@code to} (which must not exist), keeping modification times. */
  static void copyRecursively(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
