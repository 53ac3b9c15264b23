package io.tributary.runtime.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.runtime.config.PipelineConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration keys that turn on maintenance after updates. */
class AfterUpdateMaintenanceTest {

  @Test
  void theKeysAreReadAsStrictBooleansAndAreOffByDefault() {
    assertThat(AfterUpdateMaintenance.fromConfiguration("shop", Map.of()))
        .isEqualTo(AfterUpdateMaintenance.OFF);
    assertThat(
            AfterUpdateMaintenance.fromConfiguration(
                "shop", Map.of("pipelines.maintenance.afterUpdate", "TRUE")))
        .isEqualTo(new AfterUpdateMaintenance(true, false));
    assertThat(
            AfterUpdateMaintenance.fromConfiguration(
                "shop",
                Map.of(
                    "pipelines.maintenance.afterUpdate",
                    "true",
                    "pipelines.maintenance.vacuumAfterUpdate",
                    " true ")))
        .isEqualTo(new AfterUpdateMaintenance(true, true));
    assertThatThrownBy(
            () ->
                AfterUpdateMaintenance.fromConfiguration(
                    "shop", Map.of("pipelines.maintenance.vacuumAfterUpdate", "yes")))
        .isInstanceOf(PipelineConfigException.class)
        .hasMessage(
            "Pipeline 'shop': pipelines.maintenance.vacuumAfterUpdate is 'yes'. Set it to true or false.");
  }

  @Test
  void optionsRefuseAShortRetentionWhenMadeUnlessForced() {
    assertThatThrownBy(
            () -> MaintenanceOptions.all().withRetention(java.time.Duration.ofMinutes(10)))
        .hasMessageStartingWith("A VACUUM retention of 10 min is below the safe minimum of 1 h");
    assertThat(MaintenanceOptions.all().withForcedRetention(java.time.Duration.ZERO).retention())
        .contains(java.time.Duration.ZERO);
  }
}
