package io.tributary.runtime.source;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an enumerator of a triggered update says it has caught up, in both ways a runner can hear it:
 * {@link CaughtUpRegistry} for a runner in the same JVM, and gauges on the enumerator's metric group
 * that travel through Flink (the JobManager's metric store, read over REST) for a runner anywhere.
 *
 * <p>The gauges, under {@code <Source name>.coordinator.enumerator.}:
 * <ul>
 *   <li>{@value #CAUGHT_UP} — 1 while caught up, else 0;</li>
 *   <li>{@value #CAUGHT_UP_IN} — the id of the update it caught up in, "" until then: what a runner
 *       compares with its own update id, so a signal of another update never counts;</li>
 *   <li>{@value #SOURCE_ID} — the source's id, what the runner names a source that never caught up by.</li>
 * </ul>
 * Short names without commas: a REST client asks for several at once as {@code ?get=a,b,c}.
 *
 * <p>A metric group keeps the first gauge registered under a name and ignores later ones, so an
 * enumerator made again for the same source (a global failover recreates the coordinator) could leave
 * the first enumerator's gauges reporting. The gauges therefore read the current enumerator's state
 * for the update and source, not the state of the enumerator that registered them.
 */
public final class CaughtUpGauges {

  /** 1 while caught up, else 0. */
  public static final String CAUGHT_UP = "caughtUp";

  /** The update id the source caught up in, "" until it has. */
  public static final String CAUGHT_UP_IN = "caughtUpIn";

  /** The source's id. */
  public static final String SOURCE_ID = "sourceId";

  private static final Logger LOG = LoggerFactory.getLogger(CaughtUpGauges.class);

  /** The state of each live enumerator, by update and source, in this JVM (the JobManager's). */
  private static final ConcurrentMap<String, CaughtUpGauges> CURRENT = new ConcurrentHashMap<>();

  private final String kind;
  private final String updateId;
  private final String sourceId;
  private volatile boolean caughtUp;

  private CaughtUpGauges(String kind, String updateId, String sourceId) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.updateId = Objects.requireNonNull(updateId, "updateId");
    this.sourceId = Objects.requireNonNull(sourceId, "sourceId");
  }

  /**
   * Registers the gauges of source {@code sourceId} in update {@code updateId} on an enumerator's
   * group; {@code kind} ("Auto Loader source") names the source in the log.
   */
  public static CaughtUpGauges register(
      MetricGroup enumeratorGroup, String kind, String updateId, String sourceId) {
    CaughtUpGauges gauges = new CaughtUpGauges(kind, updateId, sourceId);
    String key = gauges.key();
    CURRENT.put(key, gauges);
    enumeratorGroup.gauge(CAUGHT_UP, () -> current(key, gauges) ? 1 : 0);
    enumeratorGroup.gauge(CAUGHT_UP_IN, () -> current(key, gauges) ? updateId : "");
    enumeratorGroup.gauge(SOURCE_ID, () -> sourceId);
    return gauges;
  }

  /**
   * The live enumerator's state; once every enumerator of the source closed (the job stopped), the
   * last state of the one that registered the gauges, so a read after the stop still says caught up.
   */
  private static boolean current(String key, CaughtUpGauges registering) {
    return CURRENT.getOrDefault(key, registering).caughtUp;
  }

  private String key() {
    return updateId.length() + ":" + updateId + "/" + sourceId;
  }

  /** Called by the enumerator's {@code close()}: its state no longer reports. */
  public void close() {
    CURRENT.remove(key(), this);
  }

  /**
   * Sets whether the source is caught up now. When it just became so, it logs "{@code <kind> '<source>'
   * caught up in update <id>.}" first, then publishes: the gauges, then {@link CaughtUpRegistry} (a
   * no-op without a runner in this JVM). So the log line is written before any runner can hear the
   * signal and stop the job. Returns whether it just became caught up.
   */
  public boolean update(boolean now) {
    boolean became = now && !caughtUp;
    if (became) {
      LOG.info("{} '{}' caught up in update {}.", kind, sourceId, updateId);
    }
    caughtUp = now;
    if (became) {
      CaughtUpRegistry.markCaughtUp(updateId, sourceId);
    }
    return became;
  }

  public boolean caughtUp() {
    return caughtUp;
  }
}
