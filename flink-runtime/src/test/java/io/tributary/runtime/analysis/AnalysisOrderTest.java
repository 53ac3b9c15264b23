package io.tributary.runtime.analysis;

import static org.apache.flink.table.api.Expressions.$;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.plan.DatasetSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/**
 * The analysis is ordered, not retried: a query that reads a dataset declared after it has that
 * dataset analyzed first, so every query runs once per analysis; a cycle is still spelled out.
 */
class AnalysisOrderTest {

  private static final RowType EVENTS =
      RowType.of(
          new LogicalType[] {VarCharType.STRING_TYPE, new BigIntType()},
          new String[] {"user_id", "n"});

  private final Analyzer analyzer = new Analyzer((dataset, source) -> EVENTS, List.of());

  @Test
  void eachQueryRunsOnceWhateverTheDeclarationOrder() {
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    Pipeline p = Pipeline.create("order", Map.of());
    p.table("gold")
        .query(
            ctx ->
                counted(
                    runs,
                    "gold",
                    () ->
                        ctx.read("silver")
                            .groupBy($("user_id"))
                            .select($("user_id"), $("n").sum().as("total"))));
    p.table("report").sql("SELECT user_id FROM gold");
    p.streamingTable("silver")
        .query(
            ctx ->
                counted(
                    runs, "silver", () -> ctx.readStream("bronze").filter($("n").isGreater(0))));
    p.streamingTable("bronze").from(AutoLoader.json("/data/events"));

    ResolvedPlan resolved = analyzer.analyze(p.build());

    assertThat(resolved.plan().datasets())
        .extracting(DatasetSpec::name)
        .containsExactly("bronze", "silver", "gold", "report");
    assertThat(runs).containsOnlyKeys("gold", "silver");
    assertThat(runs.values()).allSatisfy(count -> assertThat(count).hasValue(1));
  }

  @Test
  void aCycleIsSpelledOutFromItsEarliestDeclaredDatasetWithItsReadersLeftOut() {
    Pipeline p = Pipeline.create("loop", Map.of());
    p.table("downstream").query(ctx -> ctx.read("b"));
    p.table("a").sql("SELECT * FROM c");
    p.table("b").query(ctx -> ctx.read("a"));
    p.table("c").query(ctx -> ctx.read("b"));

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "Datasets form a cycle: a -> b -> c -> a. A dataset cannot read itself, directly or through other"
                            + " datasets: remove one of these reads."));
  }

  private static <T> T counted(Map<String, AtomicInteger> runs, String name, Supplier<T> query) {
    runs.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
    return query.get();
  }
}
