package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

class CaughtUpGaugesTest {

  @Test
  void gaugesNameTheUpdateOnceCaughtUpAndTellTheInJvmRegistry() {
    Group group = new Group();
    CaughtUpGauges gauges =
        CaughtUpGauges.register(group, "Auto Loader source", "g-u1", "bronze/source");
    var registry = CaughtUpRegistry.await("g-u1", "bronze/source");

    assertThat(group.values())
        .isEqualTo(Map.of("caughtUp", 0, "caughtUpIn", "", "sourceId", "bronze/source"));
    assertThat(gauges.update(false)).isFalse();
    assertThat(gauges.update(true)).isTrue();
    assertThat(gauges.update(true)).isFalse(); // once
    assertThat(group.values())
        .isEqualTo(Map.of("caughtUp", 1, "caughtUpIn", "g-u1", "sourceId", "bronze/source"));
    assertThat(registry).isCompleted();

    gauges.update(false); // a new listing (continuous) or a reader back with splits
    assertThat(group.values().get("caughtUpIn")).isEqualTo("");
    gauges.close();
    CaughtUpRegistry.release("g-u1");
  }

  @Test
  void gaugesKeptByTheGroupFromAnEarlierEnumeratorReportTheCurrentOne() {
    Group group = new Group();
    CaughtUpGauges first = CaughtUpGauges.register(group, "Auto Loader source", "g-u2", "s");
    first.update(true);
    first.close();
    // the coordinator is made again: the group ignores the second registration of each name
    CaughtUpGauges second = CaughtUpGauges.register(group, "Auto Loader source", "g-u2", "s");
    assertThat(group.values().get("caughtUp")).isEqualTo(0);
    second.update(true);
    assertThat(group.values().get("caughtUpIn")).isEqualTo("g-u2");
    second.close();
    // the job stopped: a read after the stop still says caught up (a runner acts on the first 1 it
    // reads, so the registering enumerator's last state adds no signal a runner did not have before
    // a failover)
    assertThat(group.values().get("caughtUp")).isEqualTo(1);
    CaughtUpRegistry.release("g-u2");
  }

  /**
   * The log line comes first: a runner that hears the signal stops the job at once, and whoever reads
   * the JobManager's log afterwards (a test measuring the signal's latency, an operator) must find it.
   */
  @Test
  void theCaughtUpLineIsLoggedBeforeTheGaugesOrTheRegistrySayIt() {
    Group group = new Group();
    CaughtUpGauges gauges = CaughtUpGauges.register(group, "Delta source", "g-u3", "gold/source");
    var registry = CaughtUpRegistry.await("g-u3", "gold/source");
    List<String> seen = new ArrayList<>();
    var logger = (org.apache.logging.log4j.core.Logger) LogManager.getLogger(CaughtUpGauges.class);
    Level level = logger.getLevel();
    Appender appender =
        new AbstractAppender("caught-up-order", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            seen.add(
                event.getMessage().getFormattedMessage()
                    + " | gauge "
                    + group.values().get("caughtUp")
                    + " | registry "
                    + registry.isDone());
          }
        };
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);
    try {
      gauges.update(true);
    } finally {
      logger.removeAppender(appender);
      logger.setLevel(level);
      gauges.close();
      CaughtUpRegistry.release("g-u3");
    }
    assertThat(seen)
        .containsExactly(
            "Delta source 'gold/source' caught up in update g-u3. | gauge 0 | registry false");
    assertThat(group.values().get("caughtUp")).isEqualTo(1);
    assertThat(registry).isCompleted();
  }

  /** Keeps the first gauge of a name, as Flink's metric groups do. */
  private static final class Group extends UnregisteredMetricsGroup {
    private final Map<String, Gauge<?>> gauges = new HashMap<>();

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
      gauges.putIfAbsent(name, gauge);
      return gauge;
    }

    Map<String, Object> values() {
      Map<String, Object> values = new HashMap<>();
      gauges.forEach((name, gauge) -> values.put(name, gauge.getValue()));
      return values;
    }
  }
}
