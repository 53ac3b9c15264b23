package io.tributary.runtime.engine;

import io.tributary.runtime.storage.FlinkFileSystems;
import io.tributary.runtime.storage.HadoopSettings;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * The embedded cluster an update starts for itself when it is given no executor, no remote cluster and
 * no Flink context: Flink's file systems configured from the pipeline's {@code flink:} options and Hadoop
 * settings, if it has any (checkpoints and savepoints on {@code s3a://} need both).
 *
 * <p>A triggered update starts it while its pipeline is analyzed ({@link #startEarly}, 2–3 s of a cold
 * start), with {@link #triggeredSlots} slots so that independent jobs run side by side; a continuous
 * update starts it once it knows how many streaming jobs run at once ({@link #start}).
 */
public final class OwnCluster {

  /** How many jobs of a triggered update may run side by side on its own cluster (issue 16). */
  static final int SIDE_BY_SIDE = 3;

  private final Map<String, String> flinkOptions;
  private final HadoopSettings hadoop;

  private OwnCluster(Map<String, String> flinkOptions, HadoopSettings hadoop) {
    this.flinkOptions = Map.copyOf(flinkOptions);
    this.hadoop = hadoop;
  }

  /** The cluster of a pipeline with these {@code flink:} options and Hadoop settings. */
  public static OwnCluster of(Map<String, String> flinkOptions, HadoopSettings hadoop) {
    return new OwnCluster(flinkOptions, hadoop);
  }

  /**
   * The slots of a triggered update's own cluster: {@value #SIDE_BY_SIDE} jobs' worth at
   * {@code parallelism}, so that independent jobs run side by side, or the pipeline's
   * {@code taskmanager.numberOfTaskSlots}.
   */
  public int triggeredSlots(int parallelism) {
    String configured = flinkOptions.get(TaskManagerOptions.NUM_TASK_SLOTS.key());
    return configured != null ? Integer.parseInt(configured.trim()) : parallelism * SIDE_BY_SIDE;
  }

  /** Starts the cluster with {@code slots} slots, now. */
  public EmbeddedExecutor start(int slots, Duration failoverTimeout) {
    return EmbeddedExecutor.start(slots, configuration(), failoverTimeout);
  }

  /**
   * Starts the cluster on a thread of its own (file systems are configured first, on the caller's);
   * {@link #join} it when the update needs it, or {@link #closeWhenStarted} it if the update does not start.
   * Each slot keeps the 64 MiB of managed memory a two-slot cluster's slots have (Flink's local default
   * is 128 MiB for the whole task manager), unless {@code taskmanager.memory.managed.size} is set.
   */
  public CompletableFuture<EmbeddedExecutor> startEarly(int slots) {
    Configuration conf = configuration();
    if (!conf.contains(TaskManagerOptions.MANAGED_MEMORY_SIZE)) {
      conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(64L * slots));
    }
    CompletableFuture<EmbeddedExecutor> started = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                started.complete(EmbeddedExecutor.start(slots, conf));
              } catch (RuntimeException | Error e) {
                started.completeExceptionally(e);
              }
            },
            "tributary-cluster-start");
    thread.setDaemon(true);
    thread.start();
    return started;
  }

  /** The cluster {@link #startEarly} started, once it is up; its start's failure as thrown. */
  public static EmbeddedExecutor join(CompletableFuture<EmbeddedExecutor> started) {
    try {
      return started.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
    }
  }

  /** Closes a cluster started for an update that did not start after all (a definition error, a lock held). */
  public static void closeWhenStarted(CompletableFuture<EmbeddedExecutor> started) {
    started.thenAccept(JobExecutor::close);
  }

  private Configuration configuration() {
    Configuration conf = FlinkFileSystems.embeddedConfiguration(flinkOptions, hadoop);
    if (!flinkOptions.isEmpty() || !hadoop.entries().isEmpty()) {
      // a pipeline with neither leaves the process's Flink file systems as they are
      FlinkFileSystems.initialize(conf);
    }
    return conf;
  }
}
