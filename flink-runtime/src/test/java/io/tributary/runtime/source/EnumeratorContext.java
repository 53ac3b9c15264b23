package io.tributary.runtime.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * Flink's mock enumerator context for the tests of {@link PendingSplitEnumerator} and its subclasses:
 * it keeps the gauges registered on its metric group and lists the splits assigned, in order. Test code.
 */
public final class EnumeratorContext<S extends SourceSplit> extends MockSplitEnumeratorContext<S> {

  private final Map<String, Gauge<?>> gauges = new HashMap<>();
  private final SplitEnumeratorMetricGroup group = new Group();

  public EnumeratorContext(int parallelism) {
    super(parallelism);
  }

  /** Registers readers 0 to {@code count - 1}. */
  public void registerReaders(int count) {
    for (int i = 0; i < count; i++) {
      registerReader(new ReaderInfo(i, "localhost"));
    }
  }

  /** Every split assigned so far, in the order of assignment. */
  public List<S> assigned() {
    List<S> splits = new ArrayList<>();
    getSplitsAssignmentSequence().forEach(a -> a.assignment().values().forEach(splits::addAll));
    return splits;
  }

  /** The caught-up gauge's value (0 or 1). */
  public int caughtUp() {
    return ((Number) gauges.get(PendingSplitEnumerator.CAUGHT_UP_METRIC).getValue()).intValue();
  }

  @Override
  public SplitEnumeratorMetricGroup metricGroup() {
    return group;
  }

  private final class Group extends UnregisteredMetricsGroup implements SplitEnumeratorMetricGroup {
    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
      gauges.put(name, gauge);
      return gauge;
    }

    @Override
    public <G extends Gauge<Long>> G setUnassignedSplitsGauge(G gauge) {
      return gauge;
    }
  }
}
