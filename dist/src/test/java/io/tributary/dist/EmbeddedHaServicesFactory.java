package io.tributary.dist;

import java.util.concurrent.Executor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.highavailability.HighAvailabilityServices;
import org.apache.flink.runtime.highavailability.HighAvailabilityServicesFactory;
import org.apache.flink.runtime.highavailability.nonha.embedded.EmbeddedHaServices;

/**
 * High availability as Flink sees it ({@code high-availability.type: <this class>} is Flink's
 * {@code FACTORY_CLASS} mode, which counts as HA) without a ZooKeeper or Kubernetes to reach: one
 * JobManager's in-process leader election. For the test that application mode with HA is refused.
 */
public final class EmbeddedHaServicesFactory implements HighAvailabilityServicesFactory {

  @Override
  public HighAvailabilityServices createHAServices(Configuration configuration, Executor executor) {
    return new EmbeddedHaServices(executor);
  }
}
