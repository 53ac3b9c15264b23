package io.tributary.runtime.storage;

import java.util.Map;
import java.util.Objects;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;

/**
 * Flink's own file systems (checkpoints, savepoints, Auto Loader's listing and line reads) in an
 * embedded cluster that Tributary starts for a pipeline: configured from the pipeline's {@code flink:}
 * options (such as {@code fs.allowed-fallback-filesystems: s3;s3a}, without which Flink refuses to
 * fall back to Hadoop for the object-store schemes) and its Hadoop settings, given to Flink's Hadoop
 * fallback as {@code flink.hadoop.<key>} (an S3 endpoint and keys of the {@code hadoop:} block reach
 * both stacks). A remote cluster's file systems are the cluster's own configuration.
 *
 * <p>Flink's file-system configuration is one per JVM ({@link FileSystem#initialize}): the last
 * pipeline to start an embedded cluster in a process sets it.
 */
public final class FlinkFileSystems {

  static final String FLINK_HADOOP_PREFIX = "flink.hadoop.";

  static final String CHECK_LEAKED_CLASSLOADER = "classloader.check-leaked-classloader";

  private FlinkFileSystems() {}

  /**
   * The Flink configuration of an embedded cluster for a pipeline: its {@code flink:} options, then,
   * as {@code flink.hadoop.<key>}, {@code s3://} as S3A and the pipeline's Hadoop settings (a
   * {@code flink.hadoop.<key>} option given explicitly wins), and Flink's check for leaked class
   * loaders off unless the options set it.
   */
  public static Configuration embeddedConfiguration(
      Map<String, String> flinkOptions, HadoopSettings hadoop) {
    Objects.requireNonNull(flinkOptions, "flinkOptions");
    Objects.requireNonNull(hadoop, "hadoop");
    Configuration conf = Configuration.fromMap(flinkOptions);
    if (!conf.containsKey(CHECK_LEAKED_CLASSLOADER)) {
      // Hadoop's FileSystem cache is per JVM: an S3A instance made in one job's task keeps its
      // thread pool, whose threads carry that job's (later closed) class loader as their context;
      // the AWS SDK looks up its XML parser through it. Flink's safety net would fail every later
      // S3 call (seen in S3StorageITCase's second update); without it the closed loader delegates
      // to its parent.
      conf.setString(CHECK_LEAKED_CLASSLOADER, "false");
    }
    Map<String, String> defaults = new java.util.TreeMap<>(HadoopSettings.DEFAULTS);
    defaults.putAll(hadoop.entries());
    defaults.forEach(
        (key, value) -> {
          if (!conf.containsKey(FLINK_HADOOP_PREFIX + key)) {
            conf.setString(FLINK_HADOOP_PREFIX + key, value);
          }
        });
    return conf;
  }

  /** Configures this JVM's Flink file systems with {@code conf} (and the plugins its plugin folder holds). */
  public static void initialize(Configuration conf) {
    FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
  }
}
