package io.tributary.runtime.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.analysis.Analyzer;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.tables.PipelineTables;
import io.tributary.runtime.testing.SeededRandom;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A materialized table's update as users run it: its BATCH job reads only the columns its query
 * uses from its input's Delta table, and the event log says how each table was refreshed and why.
 */
class MaterializedTableRefreshITCase {

  private static final RowType ORDERS =
      RowType.of(
          new LogicalType[] {
            VarCharType.STRING_TYPE,
            VarCharType.STRING_TYPE,
            new DoubleType(),
            VarCharType.STRING_TYPE
          },
          new String[] {"order_id", "customer_id", "amount", "properties"});

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @RegisterExtension final SeededRandom random = new SeededRandom();

  @TempDir Path dir;

  /** silver: orders from JSON files, every column (`properties` too). */
  static void silver(Pipeline p) {
    p.streamingTable("silver")
        .from(
            AutoLoader.json(p.conf("source", "/none"))
                .schema("order_id STRING, customer_id STRING, amount DOUBLE, properties STRING"));
  }

  /** silver (every column, `properties` too) -> gold (two of them, grouped) and top (ORDER BY ... LIMIT). */
  public static final class Orders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      silver(p);
      p.table("gold")
          .sql(
              "SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total FROM silver"
                  + " GROUP BY customer_id");
      p.table("top").sql("SELECT customer_id, amount FROM silver ORDER BY amount DESC LIMIT 2");
    }
  }

  /** The same gold, over a view of silver: the job inlines the view. */
  public static final class ThroughAView implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      silver(p);
      p.view("priced").sql("SELECT * FROM silver WHERE amount >= 0");
      p.table("gold")
          .sql(
              "SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total FROM priced"
                  + " GROUP BY customer_id");
    }
  }

  @Test
  void goldReadsOnlyTheColumnsItsQueryUsesAndItsRowsAreTheSame() throws Exception {
    Map<String, double[]> expected = writeOrders(random.get(), 3, 200);

    UpdateResult result = update();

    assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(goldRows()).isEqualTo(expectedGold(expected));

    // gold recomputed by a BATCH job (JobPlanner.plan of the logical plan): its one source reads
    // two of four columns
    StreamNode source = onlySource(goldGraph());
    assertThat(source.getOperatorName()).startsWith("Source: *anonymous_tributary-delta");
    assertThat(columnsRead(source)).isEqualTo(2);
  }

  /**
   * gold maintained incrementally (the job of {@code JobPlanner.plan} of the analyzed plan, as updates
   * run it) reads silver's new rows itself, not through a table source: it too reads only the two
   * columns its query uses.
   */
  @Test
  void goldMaintainedIncrementallyReadsOnlyTheColumnsItsQueryUses() {
    StreamNode source = onlySource(goldGraph(JobPlanner::plan));

    assertThat(source.getOperatorName()).isEqualTo("Source: gold: new rows of silver");
    assertThat(columnsRead(source)).isEqualTo(2);
  }

  /**
   * Through a view, too: gold's incremental job reads the two columns of silver that the view and
   * gold's query use between them, and its rows are the same.
   */
  @Test
  void goldMaintainedIncrementallyThroughAViewReadsOnlyTheColumnsItUses() throws Exception {
    Map<String, double[]> expected = writeOrders(random.get(), 2, 100);

    UpdateResult result = update(new ThroughAView());

    assertThat(result.state()).as("%s", result).isEqualTo(UpdateState.COMPLETED);
    assertThat(goldRows()).isEqualTo(expectedGold(expected));
    assertThat(columnsRead(onlySource(goldGraph(new ThroughAView(), JobPlanner::plan))))
        .isEqualTo(2);
  }

  @Test
  void theEventLogSaysHowEachTableWasRefreshedAndWhy() throws Exception {
    writeOrders(random.get(), 1, 20);

    assertThat(update().state()).isEqualTo(UpdateState.COMPLETED);

    Map<String, JsonNode> planning = new TreeMap<>();
    for (Event e : EventLog.of(storage()).events("planning_information")) {
      planning.put(
          e.origin().dataset().orElseThrow(), e.detailsJson().path("planning_information"));
    }
    assertThat(planning.keySet()).containsExactly("gold", "top");
    assertThat(planning.get("gold").path("technique").asText()).isEqualTo("COMPLETE_RECOMPUTE");
    assertThat(planning.get("gold").path("reason").asText())
        .isEqualTo(
            "it has no saved state to continue from"
                + " (its first incremental update, or a full refresh): its query runs over every row of its inputs and"
                + " replaces the table");
    assertThat(planning.get("top").path("technique").asText()).isEqualTo("COMPLETE_RECOMPUTE");
    assertThat(planning.get("top").path("reason").asText())
        .isEqualTo(
            "its plan has a sort-limit operator,"
                + " which cannot be maintained from new rows alone");
  }

  /** The one source of {@code graph}. */
  private static StreamNode onlySource(StreamGraph graph) {
    List<StreamNode> sources =
        graph.getStreamNodes().stream()
            .filter(n -> graph.getSourceIDs().contains(n.getId()))
            .toList();
    assertThat(sources).hasSize(1);
    return sources.get(0);
  }

  /** How many of silver's columns {@code source} reads: the arity of the rows it emits. */
  private static int columnsRead(StreamNode source) {
    return ((RowDataSerializer) source.getTypeSerializerOut()).getArity();
  }

  /** gold's rows: count/total by customer. */
  private Map<String, String> goldRows() {
    Map<String, String> gold = new TreeMap<>();
    for (Map<String, Object> row : PipelineTables.open(storage()).table("gold").rowsAsMaps()) {
      gold.put((String) row.get("customer_id"), row.get("orders") + "/" + row.get("total"));
    }
    return gold;
  }

  private static Map<String, String> expectedGold(Map<String, double[]> totals) {
    return totals.entrySet().stream()
        .collect(
            Collectors.toMap(
                Map.Entry::getKey,
                e -> (long) e.getValue()[0] + "/" + e.getValue()[1],
                (a, b) -> a,
                TreeMap::new));
  }

  private UpdateResult update() {
    return update(new Orders());
  }

  private UpdateResult update(PipelineDefinition pipeline) {
    return Tributary.pipeline(pipeline)
        .name("orders")
        .storage(dir.resolve("storage").toString())
        .configuration(Map.of("source", dir.resolve("orders").toString()))
        .parallelism(2)
        .triggerInterval(Duration.ofMillis(100))
        .cluster(CLUSTER.cluster())
        .run();
  }

  private PipelineStorage storage() {
    return PipelineStorage.at(
        dir.resolve("storage").toString(), new org.apache.hadoop.conf.Configuration());
  }

  /** gold's job as the logical plan's planner makes it: a BATCH recompute. */
  private StreamGraph goldGraph() {
    return goldGraph(plan -> JobPlanner.plan(plan.plan()));
  }

  private StreamGraph goldGraph(Function<ResolvedPlan, List<PlannedJob>> planner) {
    return goldGraph(new Orders(), planner);
  }

  private StreamGraph goldGraph(
      PipelineDefinition pipeline, Function<ResolvedPlan, List<PlannedJob>> planner) {
    Pipeline p = Pipeline.create("orders", Map.of("source", dir.resolve("orders").toString()));
    pipeline.define(p);
    ResolvedPlan plan = new Analyzer((dataset, source) -> ORDERS, List.of()).analyze(p.build());
    PlannedJob job =
        planner.apply(plan).stream()
            .filter(j -> j.name().equals("table_gold"))
            .findFirst()
            .orElseThrow();
    JobTranslator translator =
        new JobTranslator(
            plan, new DeltaJobIo(storage()), (tableEnv, context, dataset, rows, rowType) -> rows);
    return translator
        .translate(
            new JobContext("orders", job, "update-2", 2, Map.of("gold", "0123456789abcdef")),
            JobTranslator.configuration(job, 2, Duration.ofSeconds(1)))
        .graph();
  }

  /** {@code files} files of {@code rows} orders each, with a wide properties column; returns count and sum per customer. */
  private Map<String, double[]> writeOrders(Random random, int files, int rows) throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Map<String, double[]> totals = new TreeMap<>();
    for (int file = 0; file < files; file++) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < rows; i++) {
        String customer = "c" + random.nextInt(7);
        double amount = random.nextInt(10_000) / 4.0; // exact in binary: sums compare exactly
        double[] total = totals.computeIfAbsent(customer, c -> new double[2]);
        total[0]++;
        total[1] += amount;
        lines
            .append("{\"order_id\":\"o")
            .append(file)
            .append('-')
            .append(i)
            .append("\",\"customer_id\":\"")
            .append(customer)
            .append("\",\"amount\":")
            .append(amount)
            .append(",\"properties\":\"")
            .append("x".repeat(200 + random.nextInt(100)))
            .append("\"}\n");
      }
      Files.writeString(input.resolve("part-" + file + ".json"), lines);
    }
    return totals;
  }
}
