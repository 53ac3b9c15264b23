package io.tributary.testing;

import io.tributary.runtime.engine.EmbeddedCluster;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/**
 * The one embedded Flink cluster of this JVM that drivers run on when they are given none: started by
 * the first driver that needs it, closed when the JVM exits, so only the first test pays its start.
 */
final class SharedCluster {

  /** Slots of the shared cluster: a triggered update runs one job at a time, at the driver's parallelism. */
  static final int SLOTS = 2;

  private static EmbeddedCluster cluster;
  private static Duration startTime = Duration.ZERO;

  private SharedCluster() {}

  /** The cluster, started now if no driver has started it yet. */
  static synchronized EmbeddedCluster get() {
    if (cluster == null) {
      long start = System.nanoTime();
      EmbeddedCluster started = EmbeddedCluster.start(SLOTS, new Configuration());
      startTime = Duration.ofNanos(System.nanoTime() - start);
      Runtime.getRuntime()
          .addShutdownHook(new Thread(started::close, "tributary-test-cluster-shutdown"));
      cluster = started;
    }
    return cluster;
  }

  /** How long the cluster took to start, or zero before it has. */
  static synchronized Duration startTime() {
    return startTime;
  }
}
