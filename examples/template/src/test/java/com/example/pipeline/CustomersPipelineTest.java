package com.example.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testing.AutoLoaderInput;
import io.tributary.testing.ExpectationCount;
import io.tributary.testing.PipelineTestDriver;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CustomersPipelineTest {

  @Test
  void keepsEveryVersionOfACustomerAndQuarantinesChangesWithoutId() {
    try (PipelineTestDriver driver = PipelineTestDriver.builder(new CustomersPipeline()).build()) {
      AutoLoaderInput changes = driver.autoLoaderFolder(CustomersPipeline.CHANGES);
      changes.addJson(
          change(1L, "Ada", "London", 1L),
          change(2L, "Grace", "Arlington", 1L),
          change(null, "Nobody", "Nowhere", 1L));
      driver.runUpdate();
      changes.addJson(change(1L, "Ada", "Cambridge", 2L));
      driver.runUpdate();

      assertThat(driver.scd2History("customers", "customer_id"))
          .extracting(r -> Arrays.asList(r.get("customer_id"), r.get("city"), r.get("__START_AT"), r.get("__END_AT")))
          .containsExactly(
              Arrays.asList(1L, "London", 1L, 2L),
              Arrays.asList(1L, "Cambridge", 2L, null),
              Arrays.asList(2L, "Arlington", 1L, null));

      assertThat(driver.quarantined("customer_changes"))
          .extracting(r -> r.get("name"))
          .containsExactly("Nobody");
      // the last update's counts: its one change had an id
      assertThat(driver.expectations("customer_changes"))
          .containsEntry("valid_customer_id", new ExpectationCount("customer_changes", "valid_customer_id", 1, 0));
    }
  }

  private static Map<String, Object> change(Long id, String name, String city, long updatedAt) {
    Map<String, Object> row = new HashMap<>();
    row.put("customer_id", id);
    row.put("name", name);
    row.put("city", city);
    row.put("updated_at", updatedAt);
    return row;
  }
}
