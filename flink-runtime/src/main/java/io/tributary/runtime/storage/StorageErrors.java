package io.tributary.runtime.storage;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.util.SerializedThrowable;

/**
 * What to tell a user whose storage refused a write: a folder that is not writable, or a disk (or
 * quota) that is full. File systems say it in their own words and rarely name the file ({@code write(2)}
 * fails with {@code ENOSPC} on a stream, not a path), so the error found in a failure's causes is kept
 * as it is and a hint is added after it, the same for the CLI's errors and for a failed flow's.
 *
 * <pre>{@code
 * StorageErrors.explain("No space left on device", error);
 * // "No space left on device. The storage has no space left (or its quota is used up): ..."
 * }</pre>
 */
public final class StorageErrors {

  public static final String NOT_WRITABLE =
      "The pipeline's storage is not writable by the user this runs as: give that"
          + " user write permission on the storage folder (or choose another storage root), then run the update"
          + " again. Tables keep their last committed version, and the next update continues from it exactly once.";

  public static final String FULL =
      "The storage has no space left (or its quota is used up): free space or grow it,"
          + " then run the update again. Tables keep their last committed version, and the next update continues"
          + " from it exactly once.";

  private StorageErrors() {}

  /** The hint for {@code error}, if one of its causes (or suppressed errors) is a refused write. */
  public static Optional<String> hint(Throwable error) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> todo = new ArrayDeque<>();
    if (error != null) {
      todo.add(error);
    }
    while (!todo.isEmpty()) {
      Throwable t = todo.poll();
      if (!seen.add(t)) {
        continue;
      }
      String name =
          t instanceof SerializedThrowable s
              ? s.getOriginalErrorClassName()
              : t.getClass().getName();
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (message.contains("no space left on device")
          || message.contains("disk quota exceeded")
          || message.contains("enospc")
          || message.contains("edquot")) {
        return Optional.of(FULL);
      }
      if (name.equals("java.nio.file.AccessDeniedException")
          || name.equals("org.apache.hadoop.security.AccessControlException")
          || message.contains("permission denied")
          || message.contains("read-only file system")) {
        return Optional.of(NOT_WRITABLE);
      }
      if (t.getCause() != null) {
        todo.add(t.getCause());
      }
      Collections.addAll(todo, t.getSuppressed());
    }
    return Optional.empty();
  }

  /** {@code message}, and the hint for {@code error} after it when it has one. */
  public static String explain(String message, Throwable error) {
    return hint(error)
        .map(h -> (message.endsWith(".") ? message : message + ".") + " " + h)
        .orElse(message);
  }
}
