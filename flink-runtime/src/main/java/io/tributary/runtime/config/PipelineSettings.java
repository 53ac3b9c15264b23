package io.tributary.runtime.config;

import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.runtime.maintenance.AfterUpdateMaintenance;
import io.tributary.runtime.maintenance.AutoCompactSettings;
import io.tributary.runtime.maintenance.TableMaintenance;
import io.tributary.runtime.storage.PipelineLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.flink.util.TimeUtils;

/**
 * Every {@code pipelines.*} key of a pipeline's configuration, parsed and checked in one place, once:
 * the analyzer reports {@link #problems} with the pipeline's other problems (so {@code tributary
 * validate} names them all at once), and the update and its jobs read the values from {@link #of},
 * which cannot fail on an analyzed plan. A new key is a component here, parsed by {@link Reader}.
 *
 * @param maxFlowRetries {@value #MAX_FLOW_RETRIES}, when set
 * @param lookupRefreshInterval {@value #LOOKUP_REFRESH_INTERVAL}
 * @param tombstoneRetention {@value #TOMBSTONE_RETENTION}
 * @param lease {@value PipelineLock.Lease#HEARTBEAT_KEY} and {@value PipelineLock.Lease#DURATION_KEY}
 * @param maintenance {@value TableMaintenance#AFTER_UPDATE} and {@value TableMaintenance#VACUUM_AFTER_UPDATE}
 * @param caughtUpTimeout {@value #CAUGHT_UP_TIMEOUT}
 * @param autoCompact {@value AutoCompactSettings#ENABLED} and {@value AutoCompactSettings#MIN_FILES}
 */
public record PipelineSettings(
    Optional<Integer> maxFlowRetries,
    Duration lookupRefreshInterval,
    Duration tombstoneRetention,
    PipelineLock.Lease lease,
    AfterUpdateMaintenance maintenance,
    Duration caughtUpTimeout,
    AutoCompactSettings autoCompact) {

  /** Production mode's retries of a failed flow (DLT's key). */
  public static final String MAX_FLOW_RETRIES = "pipelines.maxFlowRetryAttempts";

  /**
   * How often a lookup join checks its table for a newer version (a Flink duration such as {@code 1 s}
   * or {@code 500 ms}; default 1 s).
   */
  public static final String LOOKUP_REFRESH_INTERVAL = "pipelines.lookup.refreshInterval";

  /** The tombstone retention of SCD type 1 targets, in seconds (DLT's key; default two days). */
  public static final String TOMBSTONE_RETENTION = "pipelines.cdc.tombstoneGCThresholdInSeconds";

  /**
   * On a Flink cluster ({@code --cluster}), how long a triggered update's job may take until every source
   * reports it has read what was there at the update's start, before the update fails naming the sources
   * that did not (a positive Flink duration such as {@code 30 min}; default 1 h).
   */
  public static final String CAUGHT_UP_TIMEOUT = "pipelines.cluster.caughtUpTimeout";

  /** The settings of {@code configuration}, the defaults for the keys it does not set. */
  public static final PipelineSettings DEFAULT =
      new PipelineSettings(
          Optional.empty(),
          Duration.ofSeconds(1),
          Duration.ofSeconds(172800),
          PipelineLock.Lease.DEFAULT,
          AfterUpdateMaintenance.OFF,
          Duration.ofHours(1),
          AutoCompactSettings.DEFAULT);

  /**
   * The settings {@code configuration} asks for.
   *
   * @throws PipelineDefinitionException naming every key whose value is wrong, each with its fix
   */
  public static PipelineSettings of(String pipeline, Map<String, String> configuration) {
    Reader reader = new Reader(configuration);
    PipelineSettings settings = reader.settings();
    if (!reader.problems.isEmpty()) {
      throw PipelineDefinitionException.of(pipeline, reader.problems);
    }
    return settings;
  }

  /** Each wrong {@code pipelines.*} value of {@code configuration}, with its fix; empty when none is. */
  public static List<String> problems(Map<String, String> configuration) {
    Reader reader = new Reader(configuration);
    reader.settings();
    return List.copyOf(reader.problems);
  }

  /**
   * One part of the settings, for a caller that reads only it.
   *
   * @throws PipelineConfigException naming the pipeline and the first wrong key of that part
   */
  public static <T> T part(
      String pipeline, Map<String, String> configuration, Function<Reader, T> part) {
    Reader reader = new Reader(configuration);
    T value = part.apply(reader);
    if (!reader.problems.isEmpty()) {
      throw ConfigErrors.inPipeline(pipeline, List.of(reader.problems.get(0)));
    }
    return value;
  }

  /**
   * Reads keys of a configuration, collecting a problem for each wrong value (and going on with its
   * default, so every key is checked).
   */
  public static final class Reader {
    private final Map<String, String> configuration;
    private final List<String> problems = new ArrayList<>();

    private Reader(Map<String, String> configuration) {
      this.configuration = configuration;
    }

    PipelineSettings settings() {
      return new PipelineSettings(
          maxFlowRetries(),
          lookupRefreshInterval(),
          tombstoneRetention(),
          lease(),
          maintenance(),
          caughtUpTimeout(),
          autoCompact());
    }

    public Optional<Integer> maxFlowRetries() {
      String value = configuration.get(MAX_FLOW_RETRIES);
      if (value == null) {
        return Optional.empty();
      }
      if (value.strip().matches("\\d{1,9}")) {
        return Optional.of(Integer.parseInt(value.strip()));
      }
      problems.add(
          MAX_FLOW_RETRIES
              + " is '"
              + value
              + "'. Set it to a whole number of retries, such as 2.");
      return Optional.empty();
    }

    /** A duration, zero included (every lookup checks for a newer version). */
    public Duration lookupRefreshInterval() {
      String value = configuration.get(LOOKUP_REFRESH_INTERVAL);
      if (value == null) {
        return DEFAULT.lookupRefreshInterval();
      }
      try {
        Duration parsed = TimeUtils.parseDuration(value.strip());
        if (!parsed.isNegative()) {
          return parsed;
        }
      } catch (IllegalArgumentException e) {
        // reported below
      }
      problems.add(
          LOOKUP_REFRESH_INTERVAL
              + " is '"
              + value
              + "'. Set it to a duration, such as 1 s or 500 ms.");
      return DEFAULT.lookupRefreshInterval();
    }

    public Duration tombstoneRetention() {
      String value = configuration.get(TOMBSTONE_RETENTION);
      if (value == null) {
        return DEFAULT.tombstoneRetention();
      }
      if (value.strip().matches("\\d{1,18}")) {
        return Duration.ofSeconds(Long.parseLong(value.strip()));
      }
      problems.add(
          TOMBSTONE_RETENTION
              + " is '"
              + value
              + "'. Set it to a number of seconds, such as 172800"
              + " (two days).");
      return DEFAULT.tombstoneRetention();
    }

    /** The lock's lease: both durations positive, the lease longer than the heartbeat interval. */
    public PipelineLock.Lease lease() {
      PipelineLock.Lease fallback = PipelineLock.Lease.DEFAULT;
      String fix = "Set it to a positive duration, such as '";
      Duration heartbeat =
          duration(
              PipelineLock.Lease.HEARTBEAT_KEY,
              fallback.heartbeat(),
              fix + seconds(fallback.heartbeat()) + "'.");
      Duration duration =
          duration(
              PipelineLock.Lease.DURATION_KEY,
              fallback.duration(),
              fix + seconds(fallback.duration()) + "'.");
      if (heartbeat.isZero() || duration.isZero()) { // reported by duration()
        return fallback;
      }
      if (duration.compareTo(heartbeat) <= 0) {
        problems.add(
            PipelineLock.Lease.DURATION_KEY
                + " ("
                + seconds(duration)
                + ") is not longer than "
                + PipelineLock.Lease.HEARTBEAT_KEY
                + " ("
                + seconds(heartbeat)
                + "), so a live update's lock would"
                + " look stale between two heartbeats. Make the lease several heartbeats long, such as 60 s with a"
                + " heartbeat every 10 s.");
        return fallback;
      }
      return new PipelineLock.Lease(heartbeat, duration);
    }

    /** A positive duration. */
    public Duration caughtUpTimeout() {
      Duration parsed =
          duration(
              CAUGHT_UP_TIMEOUT,
              DEFAULT.caughtUpTimeout(),
              "Set it to a positive duration, such as '1 h' or '30 min'.");
      return parsed.isZero() ? DEFAULT.caughtUpTimeout() : parsed;
    }

    public AfterUpdateMaintenance maintenance() {
      return new AfterUpdateMaintenance(
          flag(TableMaintenance.AFTER_UPDATE), flag(TableMaintenance.VACUUM_AFTER_UPDATE));
    }

    public AutoCompactSettings autoCompact() {
      boolean enabled = flag(AutoCompactSettings.ENABLED, "true");
      String value = configuration.get(AutoCompactSettings.MIN_FILES);
      int minFiles = AutoCompactSettings.DEFAULT.minFiles();
      if (value != null) {
        if (value.strip().matches("\\d{1,9}") && Integer.parseInt(value.strip()) >= 2) {
          minFiles = Integer.parseInt(value.strip());
        } else {
          problems.add(
              AutoCompactSettings.MIN_FILES
                  + " is '"
                  + value
                  + "'. Set it to a whole number of files of at least 2, such as 50, or set "
                  + AutoCompactSettings.ENABLED
                  + " to false to turn auto compaction off.");
        }
      }
      return new AutoCompactSettings(enabled, minFiles);
    }

    /** A positive duration; zero (after a problem) when the value is not one. */
    private Duration duration(String key, Duration fallback, String fix) {
      String value = configuration.get(key);
      if (value == null) {
        return fallback;
      }
      try {
        Duration parsed = TimeUtils.parseDuration(value.strip());
        if (!parsed.isZero() && !parsed.isNegative()) {
          return parsed;
        }
      } catch (IllegalArgumentException e) {
        // reported below
      }
      problems.add(key + " is '" + value + "'. " + fix);
      return Duration.ZERO;
    }

    private boolean flag(String key) {
      return flag(key, "false");
    }

    private boolean flag(String key, String fallback) {
      String value = configuration.getOrDefault(key, fallback).strip();
      if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
        problems.add(key + " is '" + value + "'. Set it to true or false.");
        return false;
      }
      return Boolean.parseBoolean(value);
    }

    private static String seconds(Duration d) {
      return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
  }
}
