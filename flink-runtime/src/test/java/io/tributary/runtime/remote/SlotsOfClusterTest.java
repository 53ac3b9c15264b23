package io.tributary.runtime.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.runtime.engine.ClusterSlots;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlotsOfClusterTest {

  private static final String CLUSTER = "the Flink cluster at 127.0.0.1:8081";

  private static JsonNode overview(String json) throws Exception {
    return new ObjectMapper().readTree(json);
  }

  @Test
  void aStandaloneClusterSaysItsFreeAndTotalSlots() throws Exception {
    assertThat(
            SlotsOfCluster.of(
                CLUSTER,
                overview("{\"taskmanagers\":2,\"slots-total\":4,\"slots-available\":1}"),
                Map.of("taskmanager.numberOfTaskSlots", "2")))
        .isEqualTo(ClusterSlots.known(CLUSTER, 1, 4));
  }

  @Test
  void aClusterThatStartsTaskManagersOnDemandHasNoKnownBound() throws Exception {
    JsonNode none = overview("{\"taskmanagers\":0,\"slots-total\":0,\"slots-available\":0}");
    assertThat(SlotsOfCluster.of(CLUSTER, none, Map.of("execution.target", "kubernetes-session")))
        .isEqualTo(
            ClusterSlots.unknown(
                CLUSTER,
                "it starts TaskManagers on demand (execution.target 'kubernetes-session'), so its"
                    + " slots now do not bound the update"));
    assertThat(SlotsOfCluster.of(CLUSTER, none, Map.of("yarn.application.id", "a_1")).isKnown())
        .isFalse();
    assertThat(SlotsOfCluster.of(CLUSTER, none, Map.of()))
        .isEqualTo(
            ClusterSlots.unknown(
                CLUSTER,
                "no TaskManager has registered with it yet (GET /overview: slots-total 0)"));
  }

  @Test
  void theAdaptiveSchedulerRunsAJobOnFewerSlotsSoTheyAreNoBound() throws Exception {
    assertThat(
            SlotsOfCluster.of(
                    CLUSTER,
                    overview("{\"slots-total\":2,\"slots-available\":2}"),
                    Map.of("jobmanager.scheduler", "adaptive"))
                .unknownBecause())
        .isEqualTo(
            "its adaptive scheduler runs a job on fewer slots than its parallelism"
                + " (jobmanager.scheduler: adaptive)");
  }

  @Test
  void anOverviewWithoutSlotsIsUnknown() throws Exception {
    assertThat(SlotsOfCluster.of(CLUSTER, overview("{}"), Map.of()).unknownBecause())
        .isEqualTo("its REST API's GET /overview does not say slots-available and slots-total");
  }
}
