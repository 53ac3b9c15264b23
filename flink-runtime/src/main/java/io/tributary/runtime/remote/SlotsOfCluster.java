package io.tributary.runtime.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.runtime.engine.ClusterSlots;
import java.util.Locale;
import java.util.Map;

/**
 * A cluster's task slots as its REST API tells them ({@link RestCaughtUpReader#clusterSlots}): its
 * {@code GET /overview} and the key/value pairs of its {@code GET /jobmanager/config}.
 */
final class SlotsOfCluster {

  private SlotsOfCluster() {}

  static ClusterSlots of(String cluster, JsonNode overview, Map<String, String> config) {
    String target = config.getOrDefault("execution.target", "").toLowerCase(Locale.ROOT);
    if (target.startsWith("yarn")
        || target.startsWith("kubernetes")
        || config.containsKey("kubernetes.cluster-id")
        || config.containsKey("yarn.application.id")) {
      return ClusterSlots.unknown(
          cluster,
          "it starts TaskManagers on demand (execution.target '"
              + config.getOrDefault("execution.target", "")
              + "'), so its slots now do not bound the update");
    }
    if (config.getOrDefault("jobmanager.scheduler", "").equalsIgnoreCase("adaptive")
        || config.getOrDefault("scheduler-mode", "").equalsIgnoreCase("reactive")) {
      return ClusterSlots.unknown(
          cluster,
          "its adaptive scheduler runs a job on fewer slots than its parallelism"
              + " (jobmanager.scheduler: adaptive)");
    }
    JsonNode free = overview.path("slots-available");
    JsonNode total = overview.path("slots-total");
    if (!free.isInt() || !total.isInt() || free.asInt() < 0 || total.asInt() < free.asInt()) {
      return ClusterSlots.unknown(
          cluster, "its REST API's GET /overview does not say slots-available and slots-total");
    }
    if (total.asInt() == 0) {
      return ClusterSlots.unknown(
          cluster, "no TaskManager has registered with it yet (GET /overview: slots-total 0)");
    }
    return ClusterSlots.known(cluster, free.asInt(), total.asInt());
  }
}
