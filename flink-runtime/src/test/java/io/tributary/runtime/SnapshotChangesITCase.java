package io.tributary.runtime;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.dsl.SnapshotFunction;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * applyChangesFromSnapshot end to end on a MiniCluster: snapshots of a pipeline table, one per
 * update, and snapshots from a function, several per update, applied as SCD type 1 and 2 and read
 * back with Delta Kernel; an injected failure before the commit changes nothing in the result.
 */
class SnapshotChangesITCase {

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /** The rows the {@code products_export} table holds in the current update. */
  static final AtomicReference<List<Row>> EXPORT = new AtomicReference<>(List.of());

  static Table products(TableEnvironment env, List<Row> rows) {
    return env.fromValues(
        DataTypes.ROW(
            DataTypes.FIELD("id", DataTypes.INT().notNull()),
            DataTypes.FIELD("name", DataTypes.STRING()),
            DataTypes.FIELD("note", DataTypes.STRING())),
        rows);
  }

  /** A nightly export, as a table of the pipeline, applied as SCD type 1 and 2. */
  public static final class FromTable implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.table("products_export").query(ctx -> products(ctx.tableEnvironment(), EXPORT.get()));
      p.createStreamingTable("products");
      p.applyChangesFromSnapshot("products")
          .fromSnapshot("products_export")
          .keys("id")
          .exceptColumnList("note");
      p.createStreamingTable("products_history");
      p.applyChangesFromSnapshot("products_history")
          .fromSnapshot("products_export")
          .keys("id")
          .storedAsScdType(2)
          .trackHistoryColumnList("name");
    }
  }

  private UpdateResult runTable() {
    return Tributary.pipeline(new FromTable())
        .name("shop")
        .storage(dir.resolve("storage").toString())
        .parallelism(2)
        .triggerInterval(Duration.ofMillis(300))
        .cluster(CLUSTER.cluster())
        .run();
  }

  private List<Row> table(String name) {
    return DeltaTableReader.readAll(dir.resolve("storage/tables/" + name).toString());
  }

  private String appliedVersion(String name) {
    return DeltaTableReader.properties(dir.resolve("storage/tables/" + name).toString())
        .orElseThrow()
        .get("tributary.snapshot.version");
  }

  @Test
  void eachUpdateDiffsTheTablesSnapshotWithThePreviousOne() {
    EXPORT.set(
        List.of(Row.of(1, "apple", "n1"), Row.of(2, "bread", "n1"), Row.of(3, "cheese", "n1")));
    assertThat(runTable())
        .extracting(UpdateResult::error, UpdateResult::state)
        .containsExactly(Optional.empty(), UpdateState.COMPLETED);
    assertThat(table("products"))
        .containsExactlyInAnyOrder(Row.of(1, "apple"), Row.of(2, "bread"), Row.of(3, "cheese"));
    assertThat(table("products_history"))
        .containsExactlyInAnyOrder(
            Row.of(1, "apple", "n1", 1L, null),
            Row.of(2, "bread", "n1", 1L, null),
            Row.of(3, "cheese", "n1", 1L, null));

    // 1 unchanged but its untracked note, 2 updated, 3 deleted, 4 inserted
    EXPORT.set(
        List.of(Row.of(1, "apple", "n2"), Row.of(2, "brioche", "n1"), Row.of(4, "dates", "n1")));
    assertThat(runTable())
        .extracting(UpdateResult::error, UpdateResult::state)
        .containsExactly(Optional.empty(), UpdateState.COMPLETED);
    assertThat(table("products"))
        .containsExactlyInAnyOrder(Row.of(1, "apple"), Row.of(2, "brioche"), Row.of(4, "dates"));
    assertThat(table("products_history"))
        .containsExactlyInAnyOrder(
            Row.of(1, "apple", "n2", 1L, null),
            Row.of(2, "bread", "n1", 1L, 2L),
            Row.of(2, "brioche", "n1", 2L, null),
            Row.of(3, "cheese", "n1", 1L, 2L),
            Row.of(4, "dates", "n1", 2L, null));

    // 3 comes back, 4 goes
    EXPORT.set(
        List.of(Row.of(1, "apple", "n2"), Row.of(2, "brioche", "n1"), Row.of(3, "cheddar", "n1")));
    assertThat(runTable())
        .extracting(UpdateResult::error, UpdateResult::state)
        .containsExactly(Optional.empty(), UpdateState.COMPLETED);
    List<Row> history =
        List.of(
            Row.of(1, "apple", "n2", 1L, null),
            Row.of(2, "bread", "n1", 1L, 2L),
            Row.of(2, "brioche", "n1", 2L, null),
            Row.of(3, "cheese", "n1", 1L, 2L),
            Row.of(3, "cheddar", "n1", 3L, null),
            Row.of(4, "dates", "n1", 2L, 3L));
    assertThat(table("products"))
        .containsExactlyInAnyOrder(Row.of(1, "apple"), Row.of(2, "brioche"), Row.of(3, "cheddar"));
    assertThat(table("products_history")).containsExactlyInAnyOrderElementsOf(history);
    assertThat(appliedVersion("products_history")).isEqualTo("3");

    // the same snapshot again: nothing changes, no version is spent
    long version =
        DeltaTableReader.version(dir.resolve("storage/tables/products_history").toString());
    assertThat(runTable())
        .extracting(UpdateResult::error, UpdateResult::state)
        .containsExactly(Optional.empty(), UpdateState.COMPLETED);
    assertThat(table("products_history")).containsExactlyInAnyOrderElementsOf(history);
    assertThat(DeltaTableReader.version(dir.resolve("storage/tables/products_history").toString()))
        .isEqualTo(version);
    assertThat(appliedVersion("products_history")).isEqualTo("3");
  }

  /** Snapshot versions the function returns, by the latest version it is given (0: none yet). */
  static final Map<Long, Long> NEXT = new ConcurrentHashMap<>();

  /** The rows of each snapshot version. */
  static final Map<Long, List<Row>> SNAPSHOTS =
      Map.of(
          1L, List.of(Row.of(1, "apple", "a"), Row.of(2, "bread", "a")),
          2L, List.of(Row.of(1, "apple", "a"), Row.of(2, "brioche", "a"), Row.of(3, "cheese", "a")),
          4L, List.of(Row.of(3, "cheese", "a")),
          5L, List.of(Row.of(1, "apricot", "a"), Row.of(3, "cheese", "a")));

  /** Passes its argument through, and throws once while armed. */
  public static final class FailOnce extends ScalarFunction {
    static final AtomicBoolean ARMED = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();

    public String eval(String value) {
      if (ARMED.get() && !FAILED.getAndSet(true)) {
        throw new IllegalStateException("injected failure");
      }
      return value;
    }
  }

  /** Snapshots from outside the pipeline, through a function, as SCD type 2. */
  public static final class FromFunction implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.createStreamingTable("stock");
      p.applyChangesFromSnapshot("stock")
          .fromSnapshots(
              (ctx, latest) -> {
                Long next = NEXT.get(latest.orElse(0L));
                if (next == null) {
                  return Optional.empty();
                }
                TableEnvironment env = ctx.tableEnvironment();
                if (!Arrays.asList(env.listUserDefinedFunctions()).contains("fail_once")) {
                  env.createTemporarySystemFunction("fail_once", FailOnce.class);
                }
                Table rows =
                    products(env, SNAPSHOTS.get(next))
                        .select($("id"), call("fail_once", $("name")).as("name"), $("note"));
                return Optional.of(SnapshotFunction.snapshot(rows, next));
              })
          .keys("id")
          .storedAsScdType(2)
          .exceptColumnList("note");
    }
  }

  private UpdateResult runFunction() {
    return Tributary.pipeline(new FromFunction())
        .name("stockroom")
        .storage(dir.resolve("storage").toString())
        .parallelism(2)
        .triggerInterval(Duration.ofMillis(300))
        .development(false)
        .cluster(CLUSTER.cluster())
        .run();
  }

  @Test
  void aFunctionsSnapshotsApplyInVersionOrderAndSurviveAFailureBeforeTheCommit() {
    NEXT.clear();
    FailOnce.ARMED.set(true);
    FailOnce.FAILED.set(false);
    NEXT.put(0L, 1L);
    NEXT.put(1L, 2L); // two snapshots in the first update
    UpdateResult first = runFunction();
    assertThat(first.state()).as("%s", first.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(FailOnce.FAILED).as("the failure was injected").isTrue();
    List<Row> afterTwo =
        List.of(
            Row.of(1, "apple", 1L, null),
            Row.of(2, "bread", 1L, 2L),
            Row.of(2, "brioche", 2L, null),
            Row.of(3, "cheese", 2L, null));
    assertThat(table("stock")).containsExactlyInAnyOrderElementsOf(afterTwo);
    assertThat(appliedVersion("stock")).isEqualTo("2");

    // version 5 applies; then the function goes back to 4, which is older: skipped
    NEXT.put(2L, 5L);
    NEXT.put(5L, 4L);
    assertThat(runFunction())
        .extracting(UpdateResult::error, UpdateResult::state)
        .containsExactly(Optional.empty(), UpdateState.COMPLETED);
    List<Row> afterFive =
        List.of(
            Row.of(1, "apple", 1L, 5L),
            Row.of(1, "apricot", 5L, null),
            Row.of(2, "bread", 1L, 2L),
            Row.of(2, "brioche", 2L, 5L),
            Row.of(3, "cheese", 2L, null));
    assertThat(table("stock")).containsExactlyInAnyOrderElementsOf(afterFive);
    assertThat(appliedVersion("stock")).isEqualTo("5");

    // nothing newer than 5: the function is asked once more and the target stays
    NEXT.remove(5L);
    assertThat(runFunction())
        .extracting(UpdateResult::error, UpdateResult::state)
        .containsExactly(Optional.empty(), UpdateState.COMPLETED);
    assertThat(table("stock")).containsExactlyInAnyOrderElementsOf(afterFive);
  }
}
