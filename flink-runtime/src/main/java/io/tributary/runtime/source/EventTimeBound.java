package io.tributary.runtime.source;

import io.tributary.dsl.AutoLoader;
import java.io.Serializable;
import java.util.Optional;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

/**
 * A source's declared watermark, resolved against its row type: which column holds a row's event time
 * and how late rows may be. The watermark strategy and the reader compute timestamps and watermarks
 * from the same record, so the watermark a reader emits when it finishes a file is exactly the one
 * Flink's bounded-out-of-orderness generator would have emitted for the rows read.
 *
 * @param index position of the event-time column in the produced row
 * @param precision fractional-second precision of that TIMESTAMP / TIMESTAMP_LTZ column
 * @param delayMillis how far the watermark trails the largest event time seen
 */
record EventTimeBound(int index, int precision, long delayMillis) implements Serializable {

  EventTimeBound {
    if (index < 0 || delayMillis < 0) {
      throw new IllegalArgumentException(
          "index and delay must not be negative: " + index + ", " + delayMillis);
    }
  }

  /**
   * The bound {@code spec} declares, if it declares a watermark.
   *
   * @throws AutoLoaderException when the column is missing or not a timestamp
   */
  static Optional<EventTimeBound> of(AutoLoader spec, RowType producedType) {
    if (spec.watermark().isEmpty()) {
      return Optional.empty();
    }
    AutoLoader.Watermark watermark = spec.watermark().get();
    int index = producedType.getFieldIndex(watermark.column());
    if (index < 0) {
      throw AutoLoaderErrors.watermarkColumn(
          spec.path(),
          watermark.column(),
          "is not a column of the source",
          producedType.getFieldNames());
    }
    LogicalType type = producedType.getTypeAt(index);
    if (!type.is(LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE)
        && !type.is(LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE)) {
      throw AutoLoaderErrors.watermarkColumn(
          spec.path(),
          watermark.column(),
          "has type " + type.asSummaryString() + ", not TIMESTAMP or TIMESTAMP_LTZ",
          producedType.getFieldNames());
    }
    return Optional.of(
        new EventTimeBound(
            index, LogicalTypeChecks.getPrecision(type), watermark.delay().toMillis()));
  }

  /** The event time of {@code row} in epoch milliseconds, {@link Long#MIN_VALUE} when it is NULL. */
  long timestamp(RowData row) {
    return row.isNullAt(index)
        ? Long.MIN_VALUE
        : row.getTimestamp(index, precision).getMillisecond();
  }

  /**
   * The watermark after rows whose largest event time is {@code maxTimestamp}, as Flink's
   * bounded-out-of-orderness generator computes it ({@code max - delay - 1}); {@link Long#MIN_VALUE}
   * when no row had an event time.
   */
  long watermarkAfter(long maxTimestamp) {
    return maxTimestamp == Long.MIN_VALUE ? Long.MIN_VALUE : maxTimestamp - delayMillis - 1;
  }
}
