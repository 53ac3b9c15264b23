package io.tributary.runtime.source;

import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Tells an embedded runner, in the same JVM, that a source has read everything its triggered update
 * listed: the enumerator has nothing left to assign and every reader waits for a split. The runner then
 * stops the job with a savepoint.
 *
 * <pre>{@code
 * CompletableFuture<Void> caughtUp = CaughtUpRegistry.await(updateId, "bronze_events");
 * JobClient job = ...submit...;
 * caughtUp.get(timeout, SECONDS);   // then stopWithSavepoint(false, dir, NATIVE)
 * CaughtUpRegistry.release(updateId);
 * }</pre>
 *
 * <p>It is a static map, so it works only when the enumerator runs in the runner's JVM and the job's
 * classes are loaded by the same class loader (not child-first); a remote runner reads the
 * enumerator's {@link CaughtUpGauges} over REST instead ({@code io.tributary.runtime.remote.RestCaughtUpReader}). A future completes once per update and source and stays
 * complete; a runner should also check that the job is still running before it stops it.
 */
public final class CaughtUpRegistry {

  private static final ConcurrentMap<Key, CompletableFuture<Void>> FUTURES =
      new ConcurrentHashMap<>();

  private CaughtUpRegistry() {}

  /** Completes when source {@code sourceId} has caught up in update {@code updateId}; may be called before or after. */
  public static CompletableFuture<Void> await(String updateId, String sourceId) {
    return future(new Key(updateId, sourceId));
  }

  /** Forgets the futures of an update once the runner is done with it. */
  public static void release(String updateId) {
    Objects.requireNonNull(updateId, "updateId");
    FUTURES.keySet().removeIf(key -> key.updateId().equals(updateId));
  }

  /**
   * Forgets the futures of the given sources of an update, once the runner is done with the job that
   * reads them: jobs of one update that run side by side share its id, so a job that ends must not
   * forget the sources of one still running.
   */
  public static void release(String updateId, Collection<String> sourceIds) {
    Objects.requireNonNull(updateId, "updateId");
    sourceIds.forEach(source -> FUTURES.remove(new Key(updateId, source)));
  }

  /** Called by a source's enumerator (Auto Loader's, or a Delta snapshot's) once it has caught up. */
  public static void markCaughtUp(String updateId, String sourceId) {
    future(new Key(updateId, sourceId)).complete(null);
  }

  /**
   * Whether anything in this JVM awaited or reported update {@code updateId} (and was not released): a
   * runner of a remote cluster asserts it never did, as its signals must travel through Flink.
   */
  public static boolean tracks(String updateId) {
    Objects.requireNonNull(updateId, "updateId");
    return FUTURES.keySet().stream().anyMatch(key -> key.updateId().equals(updateId));
  }

  private static CompletableFuture<Void> future(Key key) {
    return FUTURES.computeIfAbsent(key, k -> new CompletableFuture<>());
  }

  private record Key(String updateId, String sourceId) {
    Key {
      Objects.requireNonNull(updateId, "updateId");
      Objects.requireNonNull(sourceId, "sourceId");
    }
  }
}
