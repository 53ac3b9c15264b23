package io.tributary.dsl;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

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
 * a {@code _rescued_data} column. With a declared schema there is no such column unless the option
 * {@code rescuedDataColumn} names one ({@code option("rescuedDataColumn", "_rescued_data")}): unknown
 * fields are ignored, and a record that cannot be read follows the {@code mode} option
 * ({@code PERMISSIVE}: NULLs, {@code DROPMALFORMED}: dropped, {@code FAILFAST}: the update fails naming
 * the file and line). A table created when declared schemas got {@code _rescued_data} by default keeps
 * it until a full refresh. Instances are immutable: each {@code with}-style call returns a copy.
 */
public record AutoLoader(
    Format format,
    String path,
    Optional<String> schemaDdl,
    Map<String, String> options,
    Optional<Watermark> watermark)
    implements Source {

  /**
   * An event-time watermark declared on a source column: rows may arrive up to {@code delay} later than
   * the newest event time seen, as Spark's {@code withWatermark}.
   *
   * @param column the event-time column (TIMESTAMP or TIMESTAMP_LTZ)
   * @param delay how far behind the newest event time the watermark stays
   * @param delayText the delay as written, for {@link #describe()}
   */
  public record Watermark(String column, java.time.Duration delay, String delayText) {
    public Watermark {
      Objects.requireNonNull(column, "column");
      Objects.requireNonNull(delay, "delay");
      Objects.requireNonNull(delayText, "delayText");
    }
  }

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
    Objects.requireNonNull(watermark, "watermark");
    options = Map.copyOf(options);
  }

  /** A source without a watermark. */
  public AutoLoader(
      Format format, String path, Optional<String> schemaDdl, Map<String, String> options) {
    this(format, path, schemaDdl, options, Optional.empty());
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
    return new AutoLoader(format, path, Optional.of(ddl), options, watermark);
  }

  /**
   * Sets a reader option such as {@code header}, {@code delimiter}, {@code pathGlobFilter}, {@code mode}
   * ({@code PERMISSIVE}, {@code DROPMALFORMED}, {@code FAILFAST}) or {@code rescuedDataColumn} (the name
   * of the column that keeps what does not fit the schema).
   */
  public AutoLoader option(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Map<String, String> copy = new TreeMap<>(options);
    copy.put(key, value);
    return new AutoLoader(format, path, schemaDdl, copy, watermark);
  }

  /**
   * Declares event time: {@code column} carries each row's event time, and the watermark trails the
   * newest one by {@code delay}, written as a number and a unit ({@code "10 minutes"}, {@code "30 s"},
   * {@code "1 hour"}, {@code "500 ms"}), so windowed aggregations and time-bounded deduplication can
   * run downstream.
   *
   * <pre>{@code
   * AutoLoader.json("/data/events").withWatermark("timestamp", "10 minutes")
   * }</pre>
   *
   * @throws IllegalArgumentException when the column is blank or the delay cannot be read
   */
  public AutoLoader withWatermark(String column, String delay) {
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(delay, "delay");
    if (column.isBlank()) {
      throw new IllegalArgumentException(
          "AutoLoader on '"
              + path
              + "': withWatermark needs the name of the "
              + "event-time column, got a blank name. Pass the column, e.g. withWatermark(\"timestamp\", \"10 minutes\").");
    }
    return new AutoLoader(
        format,
        path,
        schemaDdl,
        options,
        Optional.of(new Watermark(column, parseDelay(path, delay), delay.trim())));
  }

  private static java.time.Duration parseDelay(String path, String text) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(\\d+)\\s*([a-zA-Z]+)").matcher(text.trim());
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ms", "milli", "millis", "millisecond", "milliseconds":
          return java.time.Duration.ofMillis(amount);
        case "s", "sec", "secs", "second", "seconds":
          return java.time.Duration.ofSeconds(amount);
        case "m", "min", "mins", "minute", "minutes":
          return java.time.Duration.ofMinutes(amount);
        case "h", "hour", "hours":
          return java.time.Duration.ofHours(amount);
        case "d", "day", "days":
          return java.time.Duration.ofDays(amount);
        default:
          break;
      }
    }
    throw new IllegalArgumentException(
        "AutoLoader on '"
            + path
            + "': withWatermark delay '"
            + text
            + "' cannot be "
            + "read. Write a whole number and a unit: ms, seconds, minutes, hours or days, e.g. \"10 minutes\".");
  }

  /** The value of an option, or {@code defaultValue} when it is not set. */
  public String optionOr(String key, String defaultValue) {
    return options.getOrDefault(key, defaultValue);
  }

  @Override
  public String describe() {
    StringBuilder text =
        new StringBuilder("AutoLoader ").append(format.lowerName()).append(' ').append(path);
    schemaDdl.ifPresent(ddl -> text.append(" schema [").append(ddl).append(']'));
    Secrets.shown(options).forEach((k, v) -> text.append(' ').append(k).append('=').append(v));
    watermark.ifPresent(
        w -> text.append(" watermark ").append(w.column()).append(" - ").append(w.delayText()));
    return text.toString();
  }

  /** None here: Auto Loader's options and schema are checked by the analyzer, where its files are read. */
  @Override
  public List<String> problems() {
    return List.of();
  }

  @Override
  public <R> R match(
      Function<? super AutoLoader, ? extends R> autoLoader,
      Function<? super DeltaSource, ? extends R> delta) {
    return autoLoader.apply(this);
  }
}
