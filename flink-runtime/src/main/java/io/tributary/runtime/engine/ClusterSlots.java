package io.tributary.runtime.engine;

import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link JobExecutor} can tell of its cluster's task slots: free now and in all, or why it
 * cannot tell (a cluster that starts TaskManagers on demand, a REST API that does not answer).
 *
 * <pre>{@code
 * ClusterSlots.known("the Flink cluster at 127.0.0.1:8081", 2, 4); // 2 free, 2 held by other jobs
 * ClusterSlots.unknown("the Flink cluster at 127.0.0.1:8081", "its REST API did not answer");
 * }</pre>
 *
 * @param cluster the cluster, as messages name it
 * @param free the slots no job holds now, when known
 * @param total the slots of every registered TaskManager, when known
 * @param unknownBecause why the slots are not known; empty when they are
 */
public record ClusterSlots(
    String cluster, Optional<Integer> free, Optional<Integer> total, String unknownBecause) {

  public ClusterSlots {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(unknownBecause, "unknownBecause");
    if (free.isPresent() != total.isPresent() || free.isPresent() == !unknownBecause.isEmpty()) {
      throw new IllegalArgumentException("either free and total slots or why they are unknown");
    }
  }

  /** {@code free} of {@code total} slots of {@code cluster}. */
  public static ClusterSlots known(String cluster, int free, int total) {
    if (free < 0 || total < free) {
      throw new IllegalArgumentException("free " + free + " of total " + total);
    }
    return new ClusterSlots(cluster, Optional.of(free), Optional.of(total), "");
  }

  /** The slots of {@code cluster} are not known, {@code because}. */
  public static ClusterSlots unknown(String cluster, String because) {
    return new ClusterSlots(cluster, Optional.empty(), Optional.empty(), because);
  }

  public boolean isKnown() {
    return free.isPresent();
  }
}
