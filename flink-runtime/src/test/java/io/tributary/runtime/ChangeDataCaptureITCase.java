package io.tributary.runtime;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.DeltaTableReader;
import io.tributary.runtime.engine.EmbeddedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * applyChanges end to end: a change feed with out-of-order changes and deletes, read one file per
 * epoch, with a task failure injected after the first epoch; the SCD type 1 and 2 targets end exactly
 * as the feed applied in sequence order, nothing lost or applied twice.
 */
class ChangeDataCaptureITCase {

  private static EmbeddedCluster cluster;

  @TempDir Path dir;

  @BeforeAll
  static void startCluster() {
    cluster = EmbeddedCluster.start(2, new Configuration());
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  /** Passes its argument through, and throws once, at the row it is armed for. */
  public static final class FailOnce extends ScalarFunction {
    static final AtomicInteger ROWS = new AtomicInteger();
    static final AtomicInteger FAIL_AT = new AtomicInteger(-1);
    static final AtomicBoolean FAILED = new AtomicBoolean();

    public String eval(String value) {
      if (ROWS.incrementAndGet() == FAIL_AT.get() && !FAILED.getAndSet(true)) {
        throw new IllegalStateException("injected failure at row " + FAIL_AT.get());
      }
      return value;
    }
  }

  /** Customers' changes applied as SCD type 1 and type 2. */
  public static final class Customers implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("changes_raw").from(AutoLoader.json(p.conf("source", "/none"))
          .schema("customer_id STRING, name STRING, operation STRING, seq BIGINT")
          .option("maxFilesPerTrigger", "1").option("rescuedDataColumn", "false"));
      p.streamingTable("changes").query(ctx -> {
        TableEnvironment env = ctx.tableEnvironment();
        if (!Arrays.asList(env.listUserDefinedFunctions()).contains("fail_once")) {
          env.createTemporarySystemFunction("fail_once", FailOnce.class);
        }
        return ctx.readStream("changes_raw").select($("customer_id"), call("fail_once", $("name")).as("name"),
            $("operation"), $("seq"));
      });
      p.createStreamingTable("customers");
      p.applyChanges("customers").from("changes").keys("customer_id").sequenceBy("seq")
          .applyAsDeletes("operation = 'DELETE'").exceptColumnList("operation");
      p.createStreamingTable("customers_history");
      p.applyChanges("customers_history").from("changes").keys("customer_id").sequenceBy("seq")
          .applyAsDeletes("operation = 'DELETE'").exceptColumnList("operation").storedAsScdType(2);
    }
  }

  @Test
  void outOfOrderChangesAndDeletesSurviveAnInjectedFailureExactly() throws Exception {
    Path input = Files.createDirectories(dir.resolve("changes"));
    Files.writeString(input.resolve("part-1.json"), """
        {"customer_id":"c1","name":"Ann","operation":"UPSERT","seq":1}
        {"customer_id":"c2","name":"Bob","operation":"UPSERT","seq":2}
        {"customer_id":"c3","name":"Cid","operation":"UPSERT","seq":3}
        """);
    Files.writeString(input.resolve("part-2.json"), """
        {"customer_id":"c1","name":"Ann B","operation":"UPSERT","seq":5}
        {"customer_id":"c2","name":null,"operation":"DELETE","seq":6}
        {"customer_id":"c3","name":"Cid","operation":"UPSERT","seq":4}
        """);
    Files.writeString(input.resolve("part-3.json"), """
        {"customer_id":"c1","name":"Ann C","operation":"UPSERT","seq":4}
        {"customer_id":"c4","name":"Dee","operation":"UPSERT","seq":7}
        """);
    FailOnce.ROWS.set(0);
    FailOnce.FAILED.set(false);
    FailOnce.FAIL_AT.set(4); // the first row of the second file: after the first epoch

    UpdateResult result = Tributary.pipeline(new Customers()).name("crm").storage(dir.resolve("storage").toString())
        .configuration(Map.of("source", input.toString())).parallelism(2).triggerInterval(Duration.ofMillis(300))
        .development(false).cluster(cluster).run();

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(FailOnce.FAILED).as("the failure was injected").isTrue();
    assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/customers").toString()))
        .containsExactlyInAnyOrder(Row.of("c1", "Ann B", 5L), Row.of("c3", "Cid", 4L), Row.of("c4", "Dee", 7L));
    assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/customers_history").toString()))
        .containsExactlyInAnyOrder(
            Row.of("c1", "Ann", 1L, 1L, 4L),
            Row.of("c1", "Ann C", 4L, 4L, 5L),
            Row.of("c1", "Ann B", 5L, 5L, null),
            Row.of("c2", "Bob", 2L, 2L, 6L),
            // seq 4 changes no tracked column: the open version is updated in place, keeping its start
            Row.of("c3", "Cid", 4L, 3L, null),
            Row.of("c4", "Dee", 7L, 7L, null));
  }
}
