package io.tributary.runtime.eventlog;

import io.tributary.quality.DataQuality;
import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What one flow did in (part of) one epoch: rows written to its table and, if it has expectations,
 * their counts. Subtasks send one each per epoch; {@link #plus} sums them.
 *
 * @param quality null for a flow without expectations or a part that carries only rows
 */
public record FlowMetrics(long outputRows, DataQuality quality) implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Its Flink type. */
  public static final TypeInformation<FlowMetrics> TYPE = TypeInformation.of(FlowMetrics.class);

  /** Rows only. */
  public static FlowMetrics rows(long outputRows) {
    return new FlowMetrics(outputRows, null);
  }

  /** Data quality counts only. */
  public static FlowMetrics quality(DataQuality quality) {
    return new FlowMetrics(0, quality);
  }

  public FlowMetrics plus(FlowMetrics other) {
    DataQuality sum =
        quality == null
            ? other.quality
            : other.quality == null ? quality : quality.plus(other.quality);
    return new FlowMetrics(outputRows + other.outputRows, sum);
  }
}
