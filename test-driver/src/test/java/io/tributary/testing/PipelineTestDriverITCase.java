package io.tributary.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.DeltaSource;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.UpdateState;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The driver over real updates: Auto Loader files and Delta commits in, tables and quality out. */
class PipelineTestDriverITCase {

  /** Changes of customers, checked, quarantined when they have no id, and kept as SCD type 2. */
  public static final class Customers implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("customer_changes")
          .from(
              AutoLoader.json(p.conf("source.changes", "/none"))
                  .schema("customer_id BIGINT, name STRING, city STRING, seq BIGINT"))
          .expectOrDrop("has_id", "customer_id IS NOT NULL")
          .expect("has_city", "city IS NOT NULL")
          .quarantine();
      p.createStreamingTable("customers_history");
      p.applyChanges("customers_history")
          .from("customer_changes")
          .keys("customer_id")
          .sequenceBy("seq")
          .columnList("customer_id", "name", "city", "seq")
          .storedAsScdType(2);
    }
  }

  /** A copy of a Delta table outside the pipeline. */
  public static final class OrdersCopy implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("orders_copy").from(DeltaSource.path(p.conf("source.orders", "/none")));
    }
  }

  @Test
  void feedsFilesAndReadsTablesExpectationsQuarantineAndScd2History() {
    try (PipelineTestDriver driver = PipelineTestDriver.builder(new Customers()).build()) {
      AutoLoaderInput changes = driver.autoLoaderFolder("source.changes");
      changes.addJson(
          row("customer_id", 1L, "name", "Ada", "city", "London", "seq", 1L),
          row("customer_id", 2L, "name", "Grace", "city", null, "seq", 1L),
          row("customer_id", null, "name", "Nobody", "city", "Paris", "seq", 1L));
      driver.runUpdate();

      assertThat(driver.expectations("customer_changes"))
          .isEqualTo(
              Map.of(
                  "has_id", new ExpectationCount("customer_changes", "has_id", 2, 1),
                  "has_city", new ExpectationCount("customer_changes", "has_city", 2, 1)));
      assertThat(driver.quarantined("customer_changes"))
          .singleElement()
          .satisfies(
              r ->
                  assertThat(r).containsEntry("name", "Nobody").containsEntry("customer_id", null));
      assertThat(driver.rows("customer_changes"))
          .extracting(r -> r.get("name"))
          .containsExactlyInAnyOrder("Ada", "Grace");

      changes.addJson(row("customer_id", 1L, "name", "Ada", "city", "Cambridge", "seq", 2L));
      driver.runUpdate();

      assertThat(driver.expectations("customer_changes").get("has_id"))
          .isEqualTo(new ExpectationCount("customer_changes", "has_id", 1, 0));
      assertThat(driver.scd2History("customers_history", "customer_id"))
          .extracting(
              r ->
                  Arrays.asList(
                      r.get("customer_id"),
                      r.get("city"),
                      String.valueOf(r.get("__START_AT")),
                      String.valueOf(r.get("__END_AT"))))
          .containsExactly(
              Arrays.asList(1L, "London", "1", "2"),
              Arrays.asList(1L, "Cambridge", "2", "null"),
              Arrays.asList(2L, null, "1", "null"));
      assertThat(driver.lastTiming().total()).isPositive();
      assertThat(driver.lastUpdate().number()).isEqualTo(2);
    }
  }

  @Test
  void feedsDeltaCommitsOfASourceTable() {
    try (PipelineTestDriver driver = PipelineTestDriver.builder(new OrdersCopy()).build()) {
      DeltaTableInput orders = driver.deltaTable("source.orders", "order_id BIGINT, amount DOUBLE");
      long first =
          orders.append(row("order_id", 1L, "amount", 9.5), row("order_id", 2L, "amount", 3.0));
      driver.runUpdate();
      long second = orders.append(row("order_id", 3L, "amount", 1.25));
      driver.runUpdate();

      assertThat(second).isEqualTo(first + 1);
      assertThat(driver.table("orders_copy").columnNames()).containsExactly("order_id", "amount");
      assertThat(driver.rows("orders_copy"))
          .containsExactlyInAnyOrder(
              Map.of("order_id", 1L, "amount", 9.5),
              Map.of("order_id", 2L, "amount", 3.0),
              Map.of("order_id", 3L, "amount", 1.25));
    }
  }

  @Test
  void aFailedUpdateIsReportedWithItsErrorAndReadsOfMissingTablesNameTheFix() {
    try (PipelineTestDriver driver = PipelineTestDriver.builder(new Customers()).build()) {
      assertThatThrownBy(driver::lastUpdate)
          .hasMessage("No update has run yet: call runUpdate() first.");
      driver
          .autoLoaderFolder("source.changes")
          .addFile("part-1.json", "{\"customer_id\": 1, \"seq\": 1}\n");
      assertThat(driver.tryUpdate().state()).isEqualTo(UpdateState.COMPLETED);
      assertThat(driver.quarantined("customer_changes")).isEmpty();
      assertThatThrownBy(() -> driver.scd2History("customer_changes", "customer_id"))
          .hasMessage(
              "Table 'customer_changes' has no __START_AT column: it is not an applyChanges target stored "
                  + "as SCD type 2 (storedAsScdType(2)).");
    }
  }

  private static Map<String, Object> row(Object... keysAndValues) {
    Map<String, Object> row = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      row.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return row;
  }
}
