package io.tributary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.testing.TributaryClusterExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The driver on a test class's cluster and folders, as the project's own ITCases run. */
class PipelineTestDriverOnExtensionITCase {

  @RegisterExtension static final TributaryClusterExtension FLINK = new TributaryClusterExtension();

  @Test
  void runsOnTheExtensionsClusterWithItsStorageInTheTestsFolder() {
    PipelineTestDriver driver =
        PipelineTestDriver.builder(new PipelineTestDriverITCase.OrdersCopy()).on(FLINK).build();
    driver
        .deltaTable("source.orders", "order_id BIGINT, amount DOUBLE")
        .append(Map.of("order_id", 1L, "amount", 2.5));
    driver.runUpdate();

    assertThat(driver.rows("orders_copy")).containsExactly(Map.of("order_id", 1L, "amount", 2.5));
    assertThat(driver.lastTiming().clusterStart()).isZero();
    // the extension's folder of this test, which it deletes after the test
    assertThat(driver.storage())
        .contains("/tributary-runsOnTheExtensionsClusterWithItsStorageInTheTestsFolder-");
  }
}
