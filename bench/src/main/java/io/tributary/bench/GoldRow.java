package io.tributary.bench;

import java.util.Objects;

/**
 * One row of {@code gold_daily_metrics}, engine-neutral, so Tributary's table, the Spark baseline's
 * oracle CSV and an independent recomputation compare as values.
 *
 * @param eventDate {@code yyyy-MM-dd}
 * @param avgDuration {@code null} when every duration of the group is null
 */
public record GoldRow(
    String eventDate, String eventType, long eventCount, long uniqueUsers, Double avgDuration) {

  public GoldRow {
    Objects.requireNonNull(eventDate, "eventDate");
    Objects.requireNonNull(eventType, "eventType");
  }

  /** The row's key: {@code eventDate|eventType}. */
  public String key() {
    return eventDate + "|" + eventType;
  }

  /**
   * Equal counts and averages within a relative {@code tolerance}: engines sum doubles in different
   * orders, so the last bits of an average may differ (the baseline's README asks for 1e-9).
   */
  public boolean matches(GoldRow other, double tolerance) {
    if (!key().equals(other.key())
        || eventCount != other.eventCount
        || uniqueUsers != other.uniqueUsers) {
      return false;
    }
    if (avgDuration == null || other.avgDuration == null) {
      return avgDuration == null && other.avgDuration == null;
    }
    return Math.abs(avgDuration - other.avgDuration)
        <= tolerance * Math.max(1.0, Math.abs(avgDuration));
  }
}
