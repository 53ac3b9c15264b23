package io.tributary.runtime.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.runtime.config.PipelineConfigException;
import io.tributary.runtime.config.PipelineSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a second concurrent update of one pipeline: a lease in {@code <storage>/_tributary/lock}
 * naming its holder (host, process, update, since when) and a heartbeat that the holder renews from a
 * daemon thread every {@link Lease#heartbeat()}. A lock whose heartbeat is older than {@link
 * Lease#duration()} is stale whoever holds it (its process was killed, or its machine or container is
 * gone) and the next update takes it over, saying whose it was ({@link #takenOver()}); a lock whose
 * heartbeat is fresh is never taken over, so a restarted container whose process has the dead one's
 * host name and PID (1, again) cannot be mistaken for it, nor the reverse.
 *
 * <p>On a local disk the lock is created atomically (create-new); on HDFS too (create without
 * overwrite fails if the file exists). On S3-compatible stores creation is not atomic, so two starts
 * racing within the same instant may both proceed: a put-if-absent store is on the roadmap. A
 * takeover reads the stale lock again just before it deletes it, so only a takeover racing another
 * takeover within that instant can go wrong.
 *
 * <pre>{@code
 * try (PipelineLock lock = PipelineLock.acquire(storage, "shop", Lease.fromConfiguration("shop", conf))) {
 *   lock.takenOver().ifPresent(stale -> System.out.println(stale.describe()));
 *   ... run the update ...
 * }
 * }</pre>
 */
public final class PipelineLock implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PipelineLock.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The locks this process holds, by storage root: the update running there names itself in it. */
  private static final Map<String, PipelineLock> HELD_HERE = new ConcurrentHashMap<>();

  private final PipelineStorage storage;
  private final Path path;
  private final Clock clock;
  private final Optional<Holder> takenOver;
  private final ScheduledExecutorService heartbeat;
  private Holder holder;
  private boolean lost;

  private PipelineLock(
      PipelineStorage storage,
      Path path,
      Clock clock,
      Holder holder,
      Optional<Holder> takenOver,
      Lease lease) {
    this.storage = storage;
    this.path = path;
    this.clock = clock;
    this.holder = holder;
    this.takenOver = takenOver;
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tributary-lock-heartbeat");
              t.setDaemon(true);
              return t;
            });
    long every = lease.heartbeat().toMillis();
    heartbeat.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * How often the holder renews its heartbeat, and how old a heartbeat makes the lock stale.
   * Configured by {@value #HEARTBEAT_KEY} and {@value #DURATION_KEY} ("10 s", "1 min"); the lease must
   * be longer than the heartbeat interval.
   */
  public record Lease(Duration heartbeat, Duration duration) {
    public static final String HEARTBEAT_KEY = "pipelines.lock.heartbeatInterval";
    public static final String DURATION_KEY = "pipelines.lock.leaseDuration";
    public static final Lease DEFAULT = new Lease(Duration.ofSeconds(10), Duration.ofSeconds(60));

    public Lease {
      Objects.requireNonNull(heartbeat, "heartbeat");
      Objects.requireNonNull(duration, "duration");
      if (heartbeat.isNegative() || heartbeat.isZero() || duration.compareTo(heartbeat) <= 0) {
        throw new IllegalArgumentException(
            "a lease of " + duration + " with a heartbeat every " + heartbeat);
      }
    }

    /**
     * The lease the pipeline's configuration asks for, the defaults for the keys it does not set.
     *
     * @throws PipelineConfigException naming a wrong key and its fix
     */
    public static Lease fromConfiguration(String pipeline, Map<String, String> configuration) {
      return PipelineSettings.part(pipeline, configuration, PipelineSettings.Reader::lease);
    }
  }

  /**
   * Whose lock it is: the process that took it, the update it runs (once that update has a number),
   * when it took it and when it last said it is alive.
   */
  public record Holder(
      String owner,
      String host,
      long pid,
      Instant since,
      Instant heartbeat,
      OptionalLong updateNumber,
      Optional<String> updateId) {

    /** E.g. {@code process 4242 on host worker-1, update 3 (<id>), holding it since <t>, last heartbeat <t>}. */
    public String describe() {
      return "process "
          + pid
          + " on host "
          + host
          + (updateNumber.isPresent()
              ? ", update "
                  + updateNumber.getAsLong()
                  + updateId.map(id -> " (" + id + ")").orElse("")
              : ", before its update had a number")
          + ", holding it since "
          + since
          + ", last heartbeat "
          + heartbeat;
    }

    Holder withHeartbeat(Instant at) {
      return new Holder(owner, host, pid, since, at, updateNumber, updateId);
    }

    Holder withUpdate(long number, String id) {
      return new Holder(
          owner, host, pid, since, heartbeat, OptionalLong.of(number), Optional.of(id));
    }

    String toJson() {
      ObjectNode node = JSON.createObjectNode();
      node.put("owner", owner)
          .put("host", host)
          .put("pid", pid)
          .put("since", since.toString())
          .put("heartbeat", heartbeat.toString());
      updateNumber.ifPresent(n -> node.put("update_number", n));
      updateId.ifPresent(id -> node.put("update_id", id));
      return node.toString() + "\n";
    }

    /** The holder a lock file names; a lock of an earlier release ({@code host pid since}) has no heartbeat but its start. */
    static Optional<Holder> parse(String text) {
      String stripped = text.strip();
      try {
        if (stripped.startsWith("{")) {
          JsonNode node = JSON.readTree(stripped);
          return Optional.of(
              new Holder(
                  node.path("owner").asText(),
                  node.path("host").asText(),
                  node.path("pid").asLong(),
                  Instant.parse(node.path("since").asText()),
                  Instant.parse(node.path("heartbeat").asText()),
                  node.hasNonNull("update_number")
                      ? OptionalLong.of(node.get("update_number").asLong())
                      : OptionalLong.empty(),
                  node.hasNonNull("update_id")
                      ? Optional.of(node.get("update_id").asText())
                      : Optional.empty()));
        }
        String[] parts = stripped.split(" ");
        if (parts.length >= 3) {
          Instant since = Instant.parse(parts[2]);
          return Optional.of(
              new Holder(
                  "",
                  parts[0],
                  Long.parseLong(parts[1]),
                  since,
                  since,
                  OptionalLong.empty(),
                  Optional.empty()));
        }
      } catch (IOException | DateTimeParseException | NumberFormatException e) {
        // not a lock this release can read: it is described as it is
      }
      return Optional.empty();
    }
  }

  /**
   * Takes the lock of the pipeline stored in {@code storage} for this process with the default
   * lease.
   *
   * @throws PipelineLockedException if a live update holds it
   */
  public static PipelineLock acquire(PipelineStorage storage, String pipeline) {
    return acquire(storage, pipeline, Lease.DEFAULT, Clock.systemUTC());
  }

  /**
   * Takes the lock of the pipeline stored in {@code storage} for this process, and renews its heartbeat
   * every {@code lease.heartbeat()} until {@link #close}. A lock whose heartbeat is older than {@code
   * lease.duration()} (by {@code clock}) is taken over.
   *
   * @throws PipelineLockedException if a live update holds it
   */
  public static PipelineLock acquire(
      PipelineStorage storage, String pipeline, Lease lease, Clock clock) {
    Path path = lockPath(storage);
    Instant now = clock.instant();
    Holder mine =
        new Holder(
            UUID.randomUUID().toString(),
            host(),
            ProcessHandle.current().pid(),
            now,
            now,
            OptionalLong.empty(),
            Optional.empty());
    Optional<Holder> takenOver = Optional.empty();
    for (int attempt = 0; attempt < 3; attempt++) {
      if (storage.createIfAbsent(path, mine.toJson())) {
        PipelineLock lock = new PipelineLock(storage, path, clock, mine, takenOver, lease);
        HELD_HERE.put(storage.root(), lock);
        return lock;
      }
      Optional<String> text = read(storage, path);
      if (text.isEmpty()) {
        continue; // released in between
      }
      Optional<Holder> current = Holder.parse(text.get());
      if (current.isPresent() && isStale(current.get(), lease, clock.instant())) {
        // read again just before deleting: a takeover by another start in between is not undone
        if (read(storage, path).equals(text)) {
          delete(storage, path);
          takenOver = current;
        }
        continue;
      }
      throw PipelineLockedException.heldBy(pipeline, current, text.get(), path);
    }
    throw PipelineLockedException.cannotTake(pipeline, path);
  }

  /** Whether a file lock is present for the pipeline stored in {@code storage}, live or stale. */
  public static boolean isHeld(PipelineStorage storage) {
    return read(storage, lockPath(storage)).isPresent();
  }

  /** Whether an update holds the lock of the pipeline stored in {@code storage} and renews it within {@code lease}. */
  public static boolean isHeld(PipelineStorage storage, Lease lease, Clock clock) {
    return read(storage, lockPath(storage))
        .map(text -> Holder.parse(text).map(h -> !isStale(h, lease, clock.instant())).orElse(true))
        .orElse(false);
  }

  /** The lock this process holds on {@code storage}, if any. */
  public static Optional<PipelineLock> heldHere(PipelineStorage storage) {
    return Optional.ofNullable(HELD_HERE.get(storage.root()));
  }

  /** The holder of the stale lock this one replaced, if it replaced one. */
  public Optional<Holder> takenOver() {
    return takenOver;
  }

  /** Who holds this lock now, as the lock file says. */
  public synchronized Holder holder() {
    return holder;
  }

  /** Names the update that runs under this lock in the lock file, for whoever finds it. */
  public synchronized void nameUpdate(long number, String updateId) {
    holder = holder.withUpdate(number, updateId);
    write();
  }

  /** Renews the heartbeat now; the daemon thread calls it every heartbeat interval. */
  synchronized void renew() {
    if (lost) {
      return;
    }
    try {
      Optional<Holder> current = read(storage, path).flatMap(Holder::parse);
      if (current.isEmpty() || !current.get().owner().equals(holder.owner())) {
        lost = true;
        LOG.error(
            "The lock {} is no longer this update's ({}): it was taken over after its heartbeat was older than"
                + " the lease (a process paused for that long?). Another update may be running.",
            path,
            current.map(Holder::describe).orElse("removed"));
        return;
      }
      holder = holder.withHeartbeat(clock.instant());
      write();
    } catch (RuntimeException e) {
      LOG.warn("Cannot renew the heartbeat of the lock {}: {}", path, e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    heartbeat.shutdownNow();
    HELD_HERE.remove(storage.root(), this);
    if (!lost
        && read(storage, path)
            .flatMap(Holder::parse)
            .map(h -> h.owner().equals(holder.owner()))
            .orElse(false)) {
      delete(storage, path);
    }
  }

  private void write() {
    storage.writeAtomically(path, holder.toJson());
  }

  private static boolean isStale(Holder holder, Lease lease, Instant now) {
    return holder.heartbeat().plus(lease.duration()).isBefore(now);
  }

  private static Path lockPath(PipelineStorage storage) {
    return new Path(storage.root(), "_tributary/lock");
  }

  private static Optional<String> read(PipelineStorage storage, Path path) {
    try {
      return storage.readText(path);
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof java.io.FileNotFoundException) {
        return Optional.empty(); // deleted between the existence check and the read
      }
      throw e;
    }
  }

  private static void delete(PipelineStorage storage, Path path) {
    try {
      path.getFileSystem(storage.hadoopConf()).delete(path, false);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot remove the pipeline lock " + path + ": " + e.getMessage(), e);
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

    private PipelineLockedException(String message) {
      super(message);
    }

    /** The lock at {@code path} is held by {@code holder} (as read: {@code text} when it does not parse). */
    static PipelineLockedException heldBy(
        String pipeline, Optional<Holder> holder, String text, Path path) {
      return new PipelineLockedException(
          "Pipeline '"
              + pipeline
              + "' is already running an update ("
              + holder
                  .map(
                      h ->
                          "started "
                              + h.since()
                              + " by process "
                              + h.pid()
                              + " on "
                              + h.host()
                              + (h.updateNumber().isPresent()
                                  ? ", update " + h.updateNumber().getAsLong()
                                  : "")
                              + ", last heartbeat "
                              + h.heartbeat())
                  .orElse("holder unknown: " + text.strip())
              + "). Wait for it to end, or stop it with 'tributary stop'. If that process is gone, delete "
              + path
              + ".");
    }

    /** The lock at {@code path} could not be taken though no live holder was seen. */
    static PipelineLockedException cannotTake(String pipeline, Path path) {
      return new PipelineLockedException(
          "Pipeline '" + pipeline + "': cannot take the lock " + path + ".");
    }
  }
}
