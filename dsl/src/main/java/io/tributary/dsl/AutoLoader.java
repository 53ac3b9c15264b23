package io.tributary.dsl;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Incremental file ingestion, Tributary's counterpart of Databricks Auto Loader ({@code cloudFiles}):
 * every file under {@code path} is read exactly once, across updates and failures.
 *
 * <pre>{@code
 * p.streamingTable("bronze_customers")
 *     .from(AutoLoader.csv(p.conf("source.customers", "/data/customers")).option("header", "true"));
 * }</pre>
 *
 * <p>Without a declared {@link #schema(String) schema} the columns are inferred from the files and
 * typed {@code STRING}, as Auto Loader does by default; fields that do not fit the schema are kept in
 * a {@code _rescued_data} column. Instances are immutable: each {@code with}-style call returns a
 * copy.
 */
public record AutoLoader(Format format, String path, Optional<String> schemaDdl, Map<String, String> options)
    implements Source {

  /** The file formats Auto Loader reads. */
  public enum Format {
    JSON,
    CSV,
    PARQUET,
    TEXT;

    String lowerName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public AutoLoader {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(schemaDdl, "schemaDdl");
    options = Map.copyOf(options);
  }

  /** Newline-delimited JSON files under {@code path} (a local path or Hadoop URI). */
  public static AutoLoader json(String path) {
    return of(Format.JSON, path);
  }

  /** CSV files under {@code path}; set {@code option("header", "true")} when they have a header line. */
  public static AutoLoader csv(String path) {
    return of(Format.CSV, path);
  }

  /** Parquet files under {@code path}. */
  public static AutoLoader parquet(String path) {
    return of(Format.PARQUET, path);
  }

  /** Text files under {@code path}, one row per line in a {@code value} column. */
  public static AutoLoader text(String path) {
    return of(Format.TEXT, path);
  }

  private static AutoLoader of(Format format, String path) {
    Objects.requireNonNull(path, "path");
    return new AutoLoader(format, path, Optional.empty(), Map.of());
  }

  /**
   * Declares the schema as a Flink SQL column list, for example
   * {@code "event_id STRING NOT NULL, user_id STRING, `timestamp` TIMESTAMP(3)"}.
   */
  public AutoLoader schema(String ddl) {
    Objects.requireNonNull(ddl, "ddl");
    return new AutoLoader(format, path, Optional.of(ddl), options);
  }

  /** Sets a reader option such as {@code header}, {@code delimiter} or {@code pathGlobFilter}. */
  public AutoLoader option(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Map<String, String> copy = new TreeMap<>(options);
    copy.put(key, value);
    return new AutoLoader(format, path, schemaDdl, copy);
  }

  /** The value of an option, or {@code defaultValue} when it is not set. */
  public String optionOr(String key, String defaultValue) {
    return options.getOrDefault(key, defaultValue);
  }

  @Override
  public String describe() {
    StringBuilder text = new StringBuilder("AutoLoader ").append(format.lowerName()).append(' ').append(path);
    schemaDdl.ifPresent(ddl -> text.append(" schema [").append(ddl).append(']'));
    new TreeMap<>(options).forEach((k, v) -> text.append(' ').append(k).append('=').append(v));
    return text.toString();
  }
}
