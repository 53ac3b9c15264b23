package io.tributary.dsl;

import io.tributary.dsl.plan.DefinitionErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A Delta table outside the pipeline (another pipeline's table, or any Delta table by path), read as
 * Delta Live Tables reads {@code spark.readStream.format("delta").load(path)}.
 *
 * <pre>{@code
 * p.streamingTable("orders_copy")
 *     .from(DeltaSource.path("/data/tables/orders").option("skipChangeCommits", "true"));
 * p.table("orders_snapshot").from(DeltaSource.path("/data/tables/orders"));
 * }</pre>
 *
 * <p>A streaming table reads the table's new data version by version, exactly once across failures and
 * updates: first the whole snapshot that is latest when the stream first starts (or, with
 * {@link #startingVersion(long)}, the data added from that version on), then each new version's added
 * files. Commits that change no data (compaction) are skipped. A commit that deletes or rewrites rows
 * (an update, a delete, a merge, an overwrite) stops the stream with an error, since its rows cannot be
 * streamed as appends; {@code option("skipChangeCommits", "true")} skips such commits whole instead, as
 * Delta's option of that name. A materialized table reads the latest snapshot. The columns are the
 * table's; columns added to the table later read as NULL in older files, and a changed column type is
 * an error.
 *
 * <p>Options: {@code skipChangeCommits} ({@code true}/{@code false}), {@code startingVersion} (a version
 * number or {@code latest}: only versions committed after the stream starts), {@code maxFilesPerTrigger}
 * (at most that many files per micro-batch). A wrong option or a blank path is reported by
 * {@code Pipeline.build()} with the pipeline's other problems. Instances are immutable: each call returns
 * a copy.
 */
public record DeltaSource(String path, Map<String, String> options) implements Source {

  /** The options a Delta source understands. */
  public static final Set<String> OPTIONS =
      Set.of("skipChangeCommits", "startingVersion", "maxFilesPerTrigger");

  public DeltaSource {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(options, "options");
    options = Map.copyOf(options);
  }

  /** The Delta table at {@code path} (a local path or Hadoop URI: the folder that holds {@code _delta_log}). */
  public static DeltaSource path(String path) {
    Objects.requireNonNull(path, "path");
    return new DeltaSource(path, Map.of());
  }

  /** Sets an option: {@code skipChangeCommits}, {@code startingVersion} or {@code maxFilesPerTrigger}. */
  public DeltaSource option(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Map<String, String> copy = new TreeMap<>(options);
    copy.put(key, value);
    return new DeltaSource(path, copy);
  }

  /** Streams the data added from table version {@code version} on, instead of the latest snapshot and what follows. */
  public DeltaSource startingVersion(long version) {
    return option("startingVersion", Long.toString(version));
  }

  /** Whether commits that delete or rewrite rows are skipped rather than failing the stream. */
  public boolean skipChangeCommits() {
    return Boolean.parseBoolean(options.getOrDefault("skipChangeCommits", "false"));
  }

  /**
   * Where the stream starts: empty for the latest snapshot (then every later version), {@code -1} for
   * {@code latest} (only versions after the start), otherwise the first version read.
   */
  public Optional<Long> startingVersionNumber() {
    String value = options.get("startingVersion");
    if (value == null) {
      return Optional.empty();
    }
    return Optional.of(value.equals("latest") ? -1L : Long.parseLong(value));
  }

  /** The most data files one micro-batch takes in (unlimited when not set). */
  public int maxFilesPerTrigger() {
    return Integer.parseInt(
        options.getOrDefault("maxFilesPerTrigger", Integer.toString(Integer.MAX_VALUE)));
  }

  /**
   * A blank path and each wrong option, with its fix; {@code Pipeline.build()} reports them with the
   * pipeline's other problems.
   */
  @Override
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (path.isBlank()) {
      problems.add(DefinitionErrors.deltaSourceBlankPath());
    }
    new TreeMap<>(options).forEach((key, value) -> problem(key, value).ifPresent(problems::add));
    return problems;
  }

  private Optional<String> problem(String key, String value) {
    return switch (key) {
      case "skipChangeCommits" ->
          value.equals("true") || value.equals("false")
              ? Optional.empty()
              : Optional.of(
                  DefinitionErrors.deltaSourceOption(path, key, value, "Set it to true or false."));
      case "startingVersion" ->
          value.equals("latest") || value.matches("\\d{1,18}")
              ? Optional.empty()
              : Optional.of(
                  DefinitionErrors.deltaSourceOption(
                      path, key, value, "Set it to a table version (0 or more) or to latest."));
      case "maxFilesPerTrigger" ->
          value.matches("\\d{1,9}") && Integer.parseInt(value) > 0
              ? Optional.empty()
              : Optional.of(
                  DefinitionErrors.deltaSourceOption(
                      path, key, value, "Set it to a whole number of files, 1 or more."));
      default ->
          Optional.of(DefinitionErrors.deltaSourceUnknownOption(path, key, new TreeSet<>(OPTIONS)));
    };
  }

  /**
   * The table's path only: the stream's position is a version of that table, whatever the options
   * (as Delta's, {@code startingVersion} counts only when a stream first starts).
   */
  @Override
  public String stateIdentity() {
    return "DeltaSource " + path;
  }

  @Override
  public String describe() {
    StringBuilder text = new StringBuilder("DeltaSource ").append(path);
    new TreeMap<>(options).forEach((k, v) -> text.append(' ').append(k).append('=').append(v));
    return text.toString();
  }

  @Override
  public <R> R match(
      Function<? super AutoLoader, ? extends R> autoLoader,
      Function<? super DeltaSource, ? extends R> delta) {
    return delta.apply(this);
  }
}
