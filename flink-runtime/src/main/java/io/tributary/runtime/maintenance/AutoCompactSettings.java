package io.tributary.runtime.maintenance;

import java.io.Serializable;

/**
 * Auto compaction in continuous mode, as Delta's {@code delta.autoOptimize.autoCompact}: after a data
 * commit of an append-only streaming table, when the table has at least {@code minFiles} files below
 * the target size, they are compacted in the background ({@link AutoCompaction}).
 *
 * @param enabled {@value #ENABLED} (default true)
 * @param minFiles {@value #MIN_FILES}: how many small files make a compaction (default 50, as Delta's
 *     {@code spark.databricks.delta.autoCompact.minNumFiles})
 */
public record AutoCompactSettings(boolean enabled, int minFiles) implements Serializable {

  /** Turns auto compaction of a continuous update's streaming tables on or off. */
  public static final String ENABLED = "pipelines.autoCompact.enabled";

  /** How many files below the target size a table must have before auto compaction rewrites them. */
  public static final String MIN_FILES = "pipelines.autoCompact.minFiles";

  public static final AutoCompactSettings DEFAULT = new AutoCompactSettings(true, 50);

  public AutoCompactSettings {
    if (minFiles < 2) {
      throw new IllegalArgumentException("minFiles must be at least 2, was " + minFiles);
    }
  }

  public AutoCompactSettings withEnabled(boolean value) {
    return new AutoCompactSettings(value, minFiles);
  }
}
