package io.tributary.runtime.storage;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * A pipeline's Hadoop settings, carried with the job to every operator and enumerator that touches
 * storage, which builds its Hadoop {@link Configuration} from them where it runs.
 *
 * <p>It holds only the pipeline's own entries (the {@code hadoop:} block of {@code pipeline.yml},
 * {@code --conf fs.…} keys, the entries a {@code Tributary.Builder.hadoopConfiguration} sets), not a
 * whole {@link Configuration}: {@link #toConfiguration()} lays them over the defaults of the process
 * it runs in (its {@code core-site.xml}, {@code hdfs-site.xml}), so a TaskManager keeps its cluster's
 * Hadoop setup and the pipeline adds its endpoint and keys. Flink's
 * {@code org.apache.flink.formats.parquet.utils.SerializableConfiguration} would ship the client's
 * whole configuration, defaults included, instead.
 *
 * <p>Beside them, {@code s3://} is mapped to S3A ({@value #S3A_FILE_SYSTEM}) unless the settings
 * name another implementation, as the seed's {@code s3://bucket/events/} expects, and {@code file://}
 * to {@link NioLocalFileSystem} (Hadoop's local file system without a {@code chmod} or {@code
 * readlink} process per file).
 *
 * <pre>{@code
 * HadoopSettings settings = HadoopSettings.of(Map.of("fs.s3a.endpoint", "http://127.0.0.1:9090"));
 * Configuration conf = settings.toConfiguration();  // on the TaskManager
 * }</pre>
 */
public final class HadoopSettings implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Hadoop's S3A file system, which {@code s3://} URIs use unless {@code fs.s3.impl} says otherwise. */
  public static final String S3A_FILE_SYSTEM = "org.apache.hadoop.fs.s3a.S3AFileSystem";

  static final Map<String, String> DEFAULTS =
      Map.of(
          "fs.s3.impl",
          S3A_FILE_SYSTEM,
          "fs.AbstractFileSystem.s3.impl",
          "org.apache.hadoop.fs.s3a.S3A",
          "fs.file.impl",
          NioLocalFileSystem.class.getName(),
          "fs.AbstractFileSystem.file.impl",
          NioLocalFs.class.getName());

  /**
   * Hadoop's own implementations of keys {@link #DEFAULTS} sets (in its {@code core-default.xml}): a
   * process whose setting still names one of these gets Tributary's, a process that names another
   * keeps it.
   */
  private static final Map<String, String> HADOOPS_OWN =
      Map.of(
          "fs.file.impl",
          "org.apache.hadoop.fs.LocalFileSystem",
          "fs.AbstractFileSystem.file.impl",
          "org.apache.hadoop.fs.local.LocalFs");

  private static final HadoopSettings NONE = new HadoopSettings(Map.of());

  private final TreeMap<String, String> entries;
  private transient Configuration conf;

  private HadoopSettings(Map<String, String> entries) {
    this.entries = new TreeMap<>(entries);
  }

  /** No settings of the pipeline's own: the process's Hadoop defaults (and {@code s3://} as S3A). */
  public static HadoopSettings none() {
    return NONE;
  }

  public static HadoopSettings of(Map<String, String> entries) {
    Objects.requireNonNull(entries, "entries");
    entries.forEach(
        (k, v) -> {
          if (k == null || k.isBlank() || v == null) {
            throw new IllegalArgumentException(
                "Hadoop setting '" + k + "' = '" + v + "': a key and a value are needed");
          }
        });
    return entries.isEmpty() ? NONE : new HadoopSettings(entries);
  }

  /**
   * The entries of {@code conf} that differ from a fresh {@code new Configuration()} of this process:
   * what the caller set on it.
   */
  public static HadoopSettings from(Configuration conf) {
    Objects.requireNonNull(conf, "conf");
    Configuration defaults = new Configuration();
    Map<String, String> set = new TreeMap<>();
    for (Map.Entry<String, String> entry : conf) {
      String raw = conf.getRaw(entry.getKey());
      if (raw != null && !raw.equals(defaults.getRaw(entry.getKey()))) {
        set.put(entry.getKey(), raw);
      }
    }
    return of(set);
  }

  /** These settings, then {@code overrides} over them. */
  public HadoopSettings with(Map<String, String> overrides) {
    if (overrides.isEmpty()) {
      return this;
    }
    Map<String, String> merged = new TreeMap<>(entries);
    merged.putAll(overrides);
    return of(merged);
  }

  public Map<String, String> entries() {
    return Map.copyOf(entries);
  }

  /**
   * A Hadoop configuration: this process's defaults, {@code s3://} as S3A and {@code file://} as
   * {@link NioLocalFileSystem} (unless the process names others), then the pipeline's entries. The resources are read once per instance (each deserialized copy reads its own), and
   * each call returns a copy, so a caller (or a library) that sets a key changes only its own.
   */
  public Configuration toConfiguration() {
    Configuration made = conf;
    if (made == null) {
      made = new Configuration();
      for (Map.Entry<String, String> entry : DEFAULTS.entrySet()) {
        String current = made.getRaw(entry.getKey());
        if (current == null
            || current.isBlank()
            || current.strip().equals(HADOOPS_OWN.get(entry.getKey()))) {
          made.set(entry.getKey(), entry.getValue());
        }
      }
      entries.forEach(made::set);
      conf = made;
    }
    return new Configuration(made);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HadoopSettings other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  /** The keys only: values may be credentials. */
  @Override
  public String toString() {
    return "HadoopSettings" + entries.keySet();
  }
}
