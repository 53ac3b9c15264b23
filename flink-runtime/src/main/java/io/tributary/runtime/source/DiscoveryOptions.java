package io.tributary.runtime.source;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.apache.flink.util.TimeUtils;

/**
 * The options that decide which files an Auto Loader source takes in and how fast, parsed once.
 * Keys may carry Auto Loader's {@code cloudFiles.} prefix.
 *
 * @param maxFilesPerTrigger at most this many files are admitted per epoch (between two completed
 *     checkpoints); {@code Integer.MAX_VALUE} when unlimited. At least one file is always admitted.
 * @param maxBytesPerTrigger at most this many bytes are admitted per epoch (a soft limit: one file that
 *     is larger is still admitted alone); {@code Long.MAX_VALUE} when unlimited
 * @param includeExistingFiles whether the files present at the first listing are read ({@code true}, the
 *     default) or only remembered as taken in
 * @param modifiedAfter only files modified strictly after this instant (epoch millis) are considered;
 *     {@code Long.MIN_VALUE} when unset
 * @param maxFileAgeMillis files older than the newest file taken in minus this are forgotten and ignored
 *     (bounds the state); {@code Long.MAX_VALUE} when unset
 */
public record DiscoveryOptions(
    int maxFilesPerTrigger,
    long maxBytesPerTrigger,
    boolean includeExistingFiles,
    long modifiedAfter,
    long maxFileAgeMillis)
    implements Serializable {

  /** The option keys (without the {@code cloudFiles.} prefix) this record reads. */
  static final java.util.List<String> KEYS =
      java.util.List.of(
          "maxFilesPerTrigger",
          "maxBytesPerTrigger",
          "includeExistingFiles",
          "modifiedAfter",
          "maxFileAge");

  /** No limits, every file. */
  public static final DiscoveryOptions DEFAULTS =
      new DiscoveryOptions(Integer.MAX_VALUE, Long.MAX_VALUE, true, Long.MIN_VALUE, Long.MAX_VALUE);

  /** Whether the per-epoch admission is limited. */
  boolean rateLimited() {
    return maxFilesPerTrigger != Integer.MAX_VALUE || maxBytesPerTrigger != Long.MAX_VALUE;
  }

  /** Parses the options of a source on {@code path} ({@code options} keys without the prefix). */
  static DiscoveryOptions of(String path, Map<String, String> options) {
    int maxFiles = Integer.MAX_VALUE;
    String files = options.get("maxFilesPerTrigger");
    if (files != null) {
      maxFiles = (int) positiveLong(path, "maxFilesPerTrigger", files, Integer.MAX_VALUE);
    }
    long maxBytes = Long.MAX_VALUE;
    String bytes = options.get("maxBytesPerTrigger");
    if (bytes != null) {
      maxBytes = byteSize(path, bytes);
    }
    boolean includeExisting = true;
    String existing = options.get("includeExistingFiles");
    if (existing != null) {
      if (!existing.equalsIgnoreCase("true") && !existing.equalsIgnoreCase("false")) {
        throw AutoLoaderErrors.badOption(path, "includeExistingFiles", existing, "true or false");
      }
      includeExisting = Boolean.parseBoolean(existing);
    }
    long modifiedAfter = Long.MIN_VALUE;
    String after = options.get("modifiedAfter");
    if (after != null) {
      modifiedAfter = instant(path, after);
    }
    long maxAge = Long.MAX_VALUE;
    String age = options.get("maxFileAge");
    if (age != null) {
      maxAge = duration(path, "maxFileAge", age).toMillis();
    }
    return new DiscoveryOptions(maxFiles, maxBytes, includeExisting, modifiedAfter, maxAge);
  }

  private static long positiveLong(String path, String key, String value, long max) {
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed > 0 && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw AutoLoaderErrors.badOption(path, key, value, "a positive whole number");
  }

  /** {@code 1048576}, {@code 10k}, {@code 64m}, {@code 1g} (powers of 1024), as Auto Loader writes sizes. */
  private static long byteSize(String path, String value) {
    String text = value.trim().toLowerCase(java.util.Locale.ROOT);
    if (text.endsWith("b")) {
      text = text.substring(0, text.length() - 1);
    }
    long unit = 1;
    if (!text.isEmpty()) {
      switch (text.charAt(text.length() - 1)) {
        case 'k' -> unit = 1L << 10;
        case 'm' -> unit = 1L << 20;
        case 'g' -> unit = 1L << 30;
        case 't' -> unit = 1L << 40;
        default -> unit = 1;
      }
      if (unit != 1) {
        text = text.substring(0, text.length() - 1);
      }
    }
    try {
      long number = Long.parseLong(text.trim());
      if (number > 0 && number <= Long.MAX_VALUE / unit) {
        return number * unit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw AutoLoaderErrors.badOption(
        path, "maxBytesPerTrigger", value, "a positive size such as 1048576, 512k, 64m or 1g");
  }

  /** An ISO instant ({@code 2024-05-01T00:00:00Z}) or local date-time taken as UTC ({@code 2024-05-01 00:00:00}). */
  private static long instant(String path, String value) {
    String text = value.trim().replace(' ', 'T');
    try {
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException notOffset) {
      try {
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
      } catch (DateTimeParseException notLocal) {
        try {
          return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException notInstant) {
          throw AutoLoaderErrors.badOption(
              path,
              "modifiedAfter",
              value,
              "a timestamp such as 2024-05-01T00:00:00Z or 2024-05-01 00:00:00 (UTC)");
        }
      }
    }
  }

  /** A duration such as {@code 10 minutes}, {@code 7 days}, {@code 1h}. */
  static Duration duration(String path, String key, String value) {
    try {
      Duration parsed = TimeUtils.parseDuration(value.trim());
      if (!parsed.isNegative() && !parsed.isZero()) {
        return parsed;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw AutoLoaderErrors.badOption(
        path, key, value, "a positive duration such as '10 minutes', '7 days' or '1h'");
  }
}
