package io.tributary.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;
import org.apache.hadoop.fs.Path;

/**
 * Refuses a second concurrent update of one pipeline: a lock file under {@code <storage>/_tributary}
 * naming its holder (host, process, start time). On a local disk it is created atomically (create-new);
 * on HDFS too (create without overwrite fails if the file exists). On S3-compatible stores creation is
 * not atomic, so two starts racing within the same instant may both proceed: a put-if-absent store
 * is on the roadmap. A lock left by a process that died on this host is taken over; one from another
 * host must be removed by hand, as the message says.
 */
public final class PipelineLock implements AutoCloseable {

  private final PipelineStorage storage;
  private final Path path;

  private PipelineLock(PipelineStorage storage, Path path) {
    this.storage = storage;
    this.path = path;
  }

  /**
   * Takes the lock of the pipeline stored in {@code storage} for this process.
   *
   * @throws PipelineLockedException if another live update holds it
   */
  public static PipelineLock acquire(PipelineStorage storage, String pipeline) {
    Path path = new Path(storage.root(), "_tributary/lock");
    String holder = host() + " " + ProcessHandle.current().pid() + " " + Instant.now();
    for (int attempt = 0; attempt < 2; attempt++) {
      if (storage.createIfAbsent(path, holder + "\n")) {
        return new PipelineLock(storage, path);
      }
      Optional<String> current = storage.readText(path).map(String::strip);
      if (current.isPresent() && heldByDeadProcessHere(current.get())) {
        delete(storage, path);
        continue;
      }
      throw new PipelineLockedException("Pipeline '" + pipeline + "' is already running an update ("
          + current.map(PipelineLock::describe).orElse("holder unknown") + "). Wait for it to end, or stop it"
          + " with 'tributary stop'. If that process is gone, delete " + path + ".");
    }
    throw new PipelineLockedException("Pipeline '" + pipeline + "': cannot take the lock " + path + ".");
  }

  /** Whether an update of the pipeline stored in {@code storage} holds the lock now. */
  public static boolean isHeld(PipelineStorage storage) {
    return storage.readText(new Path(storage.root(), "_tributary/lock")).isPresent();
  }

  @Override
  public void close() {
    delete(storage, path);
  }

  private static boolean heldByDeadProcessHere(String holder) {
    String[] parts = holder.split(" ");
    if (parts.length < 2 || !parts[0].equals(host())) {
      return false;
    }
    try {
      return ProcessHandle.of(Long.parseLong(parts[1])).map(p -> !p.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String describe(String holder) {
    String[] parts = holder.split(" ");
    return parts.length < 3 ? holder : "started " + parts[2] + " by process " + parts[1] + " on " + parts[0];
  }

  private static void delete(PipelineStorage storage, Path path) {
    try {
      path.getFileSystem(storage.hadoopConf()).delete(path, false);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove the pipeline lock " + path + ": " + e.getMessage(), e);
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return ManagementFactory.getRuntimeMXBean().getName();
    }
  }

  /** Another update of the pipeline is running. */
  public static final class PipelineLockedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PipelineLockedException(String message) {
      super(message);
    }
  }
}
