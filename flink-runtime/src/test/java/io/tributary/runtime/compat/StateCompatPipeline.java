package io.tributary.runtime.compat;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * The pipeline whose state the {@code state-compat} fixtures hold: every kind of state Tributary keeps
 * (Auto Loader positions, {@code dropDuplicates} keys, an expectation's counts, {@code applyChanges}
 * SCD type 1 and 2 rows). The fixture generator and {@link StateCompatibilityITCase} run this same
 * definition: changing it changes what the fixture proves, so a change here needs a new fixture.
 */
public final class StateCompatPipeline implements PipelineDefinition {

  /** Whether the orders' dedup key is the customer (a changed definition the old fingerprint must catch). */
  private final boolean dedupByCustomer;

  public StateCompatPipeline() {
    this(false);
  }

  StateCompatPipeline(boolean dedupByCustomer) {
    this.dedupByCustomer = dedupByCustomer;
  }

  /** Passes its argument through; throws once at the row it is armed for (only while generating). */
  public static final class FailOnce extends ScalarFunction {
    static final AtomicInteger ROWS = new AtomicInteger();
    static final AtomicInteger FAIL_AT = new AtomicInteger(-1);

    public String eval(String value) {
      if (ROWS.incrementAndGet() == FAIL_AT.get()) {
        throw new IllegalStateException("injected failure at row " + FAIL_AT.get());
      }
      return value;
    }

    static void disarm() {
      ROWS.set(0);
      FAIL_AT.set(-1);
    }
  }

  @Override
  public void define(Pipeline p) {
    p.streamingTable("orders_raw")
        .from(
            AutoLoader.json(p.conf("source.orders", "/none"))
                .schema("order_id STRING, customer_id STRING, amount DOUBLE"));
    p.streamingTable("orders")
        .from("orders_raw")
        .expect("has_customer", "customer_id IS NOT NULL")
        .expectOrDrop("positive_amount", "amount > 0")
        .dropDuplicates(dedupByCustomer ? "customer_id" : "order_id");

    p.streamingTable("changes_raw")
        .from(
            AutoLoader.json(p.conf("source.changes", "/none"))
                .schema("customer_id STRING, name STRING, operation STRING, seq BIGINT")
                .option("maxFilesPerTrigger", "1")
                .option("rescuedDataColumn", "false"));
    p.streamingTable("changes")
        .query(
            ctx -> {
              TableEnvironment env = ctx.tableEnvironment();
              if (!Arrays.asList(env.listUserDefinedFunctions()).contains("fail_once")) {
                env.createTemporarySystemFunction("fail_once", FailOnce.class);
              }
              return ctx.readStream("changes_raw")
                  .select(
                      $("customer_id"),
                      call("fail_once", $("name")).as("name"),
                      $("operation"),
                      $("seq"));
            });
    p.createStreamingTable("customers");
    p.applyChanges("customers")
        .from("changes")
        .keys("customer_id")
        .sequenceBy("seq")
        .applyAsDeletes("operation = 'DELETE'")
        .exceptColumnList("operation");
    p.createStreamingTable("customers_history");
    p.applyChanges("customers_history")
        .from("changes")
        .keys("customer_id")
        .sequenceBy("seq")
        .applyAsDeletes("operation = 'DELETE'")
        .exceptColumnList("operation")
        .storedAsScdType(2);
  }
}
