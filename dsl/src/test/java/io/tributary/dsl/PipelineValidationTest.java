package io.tributary.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per problem {@code Pipeline.build()} reports, each asserting the whole message the user
 * reads: where, what, why and the fix.
 */
class PipelineValidationTest {

  private static final String NL = System.lineSeparator();
  private static final AutoLoader ORDERS = AutoLoader.json("/data/orders");

  @ParameterizedTest
  @ValueSource(
      strings = {"orders/2024", "..", "../orders", "bronze orders", "1orders", "orders.v2", ""})
  void invalidName(String name) {
    assertOneProblem(
        p -> p.streamingTable(name).from(ORDERS),
        "Dataset '"
            + name
            + "': the name is not a valid identifier. Use letters, digits and underscores, starting"
            + " with a letter or an underscore, at most 128 characters (it names a folder under the pipeline's"
            + " storage).");
  }

  @Test
  void nameOfMoreThan128CharactersIsInvalid() {
    String longest = "_" + "a".repeat(127);
    assertThat(
            Pipeline.plan("shop", Map.of(), p -> p.streamingTable(longest).from(ORDERS)).datasets())
        .hasSize(1);

    String tooLong = longest + "a";
    assertOneProblem(
        p -> p.streamingTable(tooLong).from(ORDERS),
        "Dataset '"
            + tooLong
            + "': the name is not a valid identifier. Use letters, digits and underscores,"
            + " starting with a letter or an underscore, at most 128 characters (it names a folder under the"
            + " pipeline's storage).");
  }

  @Test
  void duplicateNameDifferingOnlyInCase() {
    assertOneProblem(
        p -> {
          p.streamingTable("orders").from(ORDERS);
          p.table("Orders").from("orders");
        },
        "Dataset 'orders' is defined 2 times (as streaming table 'orders', table 'Orders'). Names are"
            + " case-insensitive and unique per pipeline (each names a folder): rename all but one.");
  }

  @Test
  void duplicateNameOfThreeDatasets() {
    assertOneProblem(
        p -> {
          p.streamingTable("orders").from(ORDERS);
          p.view("orders").sql("SELECT 1 AS one");
          p.table("ORDERS").sql("SELECT 2 AS two");
        },
        "Dataset 'orders' is defined 3 times (as streaming table 'orders', view 'orders', table 'ORDERS')."
            + " Names are case-insensitive and unique per pipeline (each names a folder): rename all but one.");
  }

  @Test
  void missingQuery() {
    assertOneProblem(
        p -> p.table("gold_orders").comment("no rows yet"),
        "Dataset 'gold_orders' (table) has no query. Define its rows with from(…), query(…) or sql(…).");
  }

  @Test
  void multipleQueries() {
    assertOneProblem(
        p -> p.streamingTable("orders").from(ORDERS).sql("SELECT *\n  FROM   other"),
        "Dataset 'orders' has 2 queries (from AutoLoader json /data/orders; sql SELECT * FROM other). A dataset"
            + " has one query: keep one of them.");
  }

  @Test
  void undefinedInputListsTheDefinedDatasets() {
    assertOneProblem(
        p -> {
          p.streamingTable("bronze_orders").from(ORDERS);
          p.streamingTable("bronze_customers").from(AutoLoader.csv("/data/customers"));
          p.streamingTable("silver_orders").from("bronze_order");
        },
        "Dataset 'silver_orders': input 'bronze_order' is not defined. Defined datasets: [bronze_customers,"
            + " bronze_orders, silver_orders]. Check the name passed to from().");
  }

  @Test
  void undefinedSourceOfApplyChanges() {
    assertOneProblem(
        p -> {
          p.createStreamingTable("customers");
          p.applyChanges("customers").from("cdc_raw").keys("customer_id").sequenceBy("updated_at");
        },
        "Dataset 'customers': input 'cdc_raw' is not defined. Defined datasets: [customers]. Check the name"
            + " passed to applyChanges(…).from().");
  }

  @Test
  void cycleIsSpelledOutFromTheEarliestDeclaredDataset() {
    assertOneProblem(
        p -> {
          p.streamingTable("source_free").from(ORDERS);
          p.streamingTable("a").from("c");
          p.streamingTable("b").from("a");
          p.streamingTable("c").from("b");
        },
        "Datasets form a cycle: a -> b -> c -> a. A dataset cannot read itself, directly or through other"
            + " datasets: remove one of these reads.");
  }

  @Test
  void datasetReadingItselfIsACycle() {
    assertOneProblem(
        p -> p.view("loop").from("loop"),
        "Datasets form a cycle: loop -> loop. A dataset cannot read itself, directly or through other datasets:"
            + " remove one of these reads.");
  }

  @Test
  void datasetsDownstreamOfACycleAreNotReportedAsTheCycle() {
    assertOneProblem(
        p -> {
          p.table("report").from("b");
          p.streamingTable("a").from("b");
          p.streamingTable("b").from("a");
        },
        "Datasets form a cycle: a -> b -> a. A dataset cannot read itself, directly or through other datasets:"
            + " remove one of these reads.");
  }

  @Test
  void streamReadOfMaterializedTable() {
    assertOneProblem(
        p -> {
          p.table("daily_totals").from(ORDERS);
          p.streamingTable("totals_feed").from("daily_totals");
        },
        "Dataset 'totals_feed' reads table 'daily_totals' as a stream, but 'daily_totals' is a materialized"
            + " table, recomputed on every update, so it has no stream of new rows. Read it as a snapshot (from(…) on"
            + " a table or view, ctx.read(…)), or make 'daily_totals' a streaming table.");
  }

  @Test
  void streamReadOfApplyChangesTarget() {
    assertOneProblem(
        p -> {
          cdcSource(p);
          p.createStreamingTable("customers");
          p.applyChanges("customers").from("cdc_raw").keys("customer_id").sequenceBy("updated_at");
          p.streamingTable("customer_feed").from("customers");
        },
        "Dataset 'customer_feed' reads 'customers' as a stream, but 'customers' is an applyChanges target whose"
            + " commits update and delete rows, so it has no stream of new rows. Read it as a snapshot from a table"
            + " or view: from(\"customers\") or ctx.read(\"customers\").");
  }

  @Test
  void snapshotReadOfApplyChangesTargetIsValid() {
    var plan =
        Pipeline.plan(
            "shop",
            Map.of(),
            p -> {
              cdcSource(p);
              p.createStreamingTable("customers");
              p.applyChanges("customers")
                  .from("cdc_raw")
                  .keys("customer_id")
                  .sequenceBy("updated_at");
              p.table("customer_count").from("customers");
            });
    assertThat(plan.readersOf("customers")).containsExactly("customer_count");
  }

  @Test
  void applyChangesTargetUndefined() {
    assertOneProblem(
        p -> {
          cdcSource(p);
          p.applyChanges("customers").from("cdc_raw").keys("customer_id").sequenceBy("updated_at");
        },
        "applyChanges into 'customers': the target is not defined. Declare it with"
            + " p.createStreamingTable(\"customers\").");
  }

  @Test
  void applyChangesTargetIsAStreamingTableWithAQuery() {
    assertOneProblem(
        p -> {
          cdcSource(p);
          p.streamingTable("customers").from("cdc_raw");
          p.applyChanges("customers").from("cdc_raw").keys("customer_id").sequenceBy("updated_at");
        },
        "applyChanges into 'customers': the target is a streaming table with a query of its own. A"
            + " change-data-capture target must be declared with p.createStreamingTable(\"customers\").");
  }

  @Test
  void applyChangesTargetIsAView() {
    assertOneProblem(
        p -> {
          cdcSource(p);
          p.view("customers").sql("SELECT * FROM cdc_raw");
          p.applyChanges("customers").from("cdc_raw").keys("customer_id").sequenceBy("updated_at");
        },
        "applyChanges into 'customers': the target is a view with a query of its own. A change-data-capture"
            + " target must be declared with p.createStreamingTable(\"customers\").");
  }

  @Test
  void createdStreamingTableWithoutFlow() {
    assertOneProblem(
        p -> p.createStreamingTable("customers"),
        "Streaming table 'customers' is declared with createStreamingTable, but no flow writes to it. Add"
            + " p.applyChanges(\"customers\")…, or declare it with p.streamingTable(\"customers\") and give it a"
            + " query.");
  }

  @Test
  void createdStreamingTableWithAQueryOfItsOwn() {
    String problem =
        "Streaming table 'customers' is declared with createStreamingTable, whose rows come only from"
            + " flows such as applyChanges, but it also has a query (from STREAM(cdc_raw)). Remove the query, or"
            + " declare it with p.streamingTable(\"customers\") and no applyChanges.";
    assertOneProblem(
        p -> {
          cdcSource(p);
          p.createStreamingTable("customers").from("cdc_raw");
          p.applyChanges("customers").from("cdc_raw").keys("customer_id").sequenceBy("updated_at");
        },
        problem);
    assertOneProblem(
        p -> {
          cdcSource(p);
          p.createStreamingTable("customers").from("cdc_raw");
        },
        problem);
  }

  @Test
  void multipleApplyChangesIntoOneTarget() {
    assertOneProblem(
        p -> {
          cdcSource(p);
          p.createStreamingTable("customers");
          p.applyChanges("customers").from("cdc_raw").keys("customer_id").sequenceBy("updated_at");
          p.applyChanges("customers").from("cdc_raw").keys("customer_id").sequenceBy("updated_at");
        },
        "applyChanges into 'customers' is declared 2 times. Tributary applies one change feed per target: union"
            + " the feeds in a view and apply that.");
  }

  @Test
  void applyChangesWithoutSourceKeysOrSequence() {
    assertProblems(
        p -> {
          p.createStreamingTable("customers");
          p.applyChanges("customers");
        },
        "applyChanges into 'customers' has no source (the dataset holding the change feed). Add"
            + " from(\"<dataset>\") to p.applyChanges(\"customers\").",
        "applyChanges into 'customers' has no keys (the columns that identify a row). Add keys(\"<column>\", …)"
            + " to p.applyChanges(\"customers\").",
        "applyChanges into 'customers' has no sequence column (the column that orders each key's changes). Add"
            + " sequenceBy(\"<column>\") to p.applyChanges(\"customers\").");
  }

  @Test
  void applyChangesWithEmptyKeys() {
    assertOneProblem(
        p -> {
          cdcSource(p);
          p.createStreamingTable("customers");
          p.applyChanges("customers").from("cdc_raw").keys().sequenceBy("updated_at");
        },
        "applyChanges into 'customers' has no keys (the columns that identify a row). Add keys(\"<column>\", …) to"
            + " p.applyChanges(\"customers\").");
  }

  @Test
  void applyChangesWithEmptySequence() {
    assertOneProblem(
        p -> {
          cdcSource(p);
          p.createStreamingTable("customers");
          p.applyChanges("customers").from("cdc_raw").keys("customer_id").sequenceBy();
        },
        "applyChanges into 'customers' has no sequence column (the column that orders each key's changes). Add"
            + " sequenceBy(\"<column>\") to p.applyChanges(\"customers\").");
  }

  @Test
  void bothColumnLists() {
    assertOneProblem(
        p -> customers(p).columnList("customer_id", "name").exceptColumnList("operation"),
        "applyChanges into 'customers' sets both columnList and exceptColumnList. They are mutually exclusive:"
            + " keep one.");
  }

  @Test
  void bothHistoryLists() {
    assertOneProblem(
        p ->
            customers(p)
                .storedAsScdType(2)
                .trackHistoryColumnList("name")
                .trackHistoryExceptColumnList("phone"),
        "applyChanges into 'customers' sets both trackHistoryColumnList and trackHistoryExceptColumnList. They are"
            + " mutually exclusive: keep one.");
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void historyTrackingOnScdType1(boolean exceptList) {
    assertOneProblem(
        p -> {
          ApplyChangesBuilder flow = customers(p);
          if (exceptList) {
            flow.trackHistoryExceptColumnList("phone");
          } else {
            flow.trackHistoryColumnList("name");
          }
        },
        "applyChanges into 'customers' tracks history columns, but is stored as SCD type 1, which keeps no"
            + " history. Use storedAsScdType(2), or remove the history column list.");
  }

  @Test
  void truncatesOnScdType2() {
    assertOneProblem(
        p -> customers(p).storedAsScdType(2).applyAsTruncates("operation = 'TRUNCATE'"),
        "applyChanges into 'customers' sets applyAsTruncates, which only SCD type 1 supports (a truncate would"
            + " erase SCD type 2 history). Remove it, or use storedAsScdType(1).");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 3, -1})
  void scdTypeOtherThanOneOrTwo(int type) {
    assertOneProblem(
        p -> customers(p).storedAsScdType(type),
        "applyChanges into 'customers' is stored as SCD type "
            + type
            + ". Use storedAsScdType(1) (latest row per"
            + " key) or storedAsScdType(2) (a row per version).");
  }

  @Test
  void everyOptionOfTheSeedTogetherIsValid() {
    var plan =
        Pipeline.plan(
            "shop",
            Map.of(),
            p -> {
              customers(p)
                  .storedAsScdType(2)
                  .trackHistoryColumnList("name", "email")
                  .applyAsDeletes("operation = 'DELETE'")
                  .exceptColumnList("operation")
                  .ignoreNullUpdates(true);
            });
    assertThat(plan.applyChanges())
        .singleElement()
        .satisfies(
            flow -> {
              assertThat(flow.scdType()).isEqualTo(2);
              assertThat(flow.trackHistoryColumnList()).containsExactly("name", "email");
              assertThat(flow.applyAsDeletes()).contains("operation = 'DELETE'");
              assertThat(flow.exceptColumnList()).containsExactly("operation");
              assertThat(flow.ignoreNullUpdates()).isTrue();
            });
  }

  @Test
  void duplicateExpectationName() {
    assertOneProblem(
        p ->
            p.streamingTable("orders")
                .from(ORDERS)
                .expect("valid_id", "order_id IS NOT NULL")
                .expectOrDrop("valid_id", "order_id <> ''"),
        "Dataset 'orders': expectation 'valid_id' is defined 2 times. Expectation names are unique per dataset:"
            + " rename all but one.");
  }

  @Test
  void duplicateExpectationNameAcrossExpectAll() {
    assertOneProblem(
        p ->
            p.streamingTable("orders")
                .from(ORDERS)
                .expectOrFail("valid_id", "order_id IS NOT NULL")
                .expectAllOrDrop(Map.of("valid_id", "order_id <> ''", "positive", "amount > 0")),
        "Dataset 'orders': expectation 'valid_id' is defined 2 times. Expectation names are unique per dataset:"
            + " rename all but one.");
  }

  @Test
  void blankConstraint() {
    assertOneProblem(
        p -> p.streamingTable("orders").from(ORDERS).expectOrDrop("valid_id", " \n "),
        "Dataset 'orders': the constraint of expectation 'valid_id' is blank. Give it a SQL boolean expression over"
            + " the dataset's columns, such as \"order_id IS NOT NULL\".");
  }

  @Test
  void quarantineWithoutADropExpectation() {
    assertOneProblem(
        p ->
            p.streamingTable("orders")
                .from(ORDERS)
                .expect("valid_id", "order_id IS NOT NULL")
                .quarantine(),
        "Dataset 'orders' asks for quarantine() but has no expect_or_drop expectation, so it drops nothing to keep."
            + " Add expectOrDrop(…) or expectAllOrDrop(…), or remove quarantine().");
  }

  @Test
  void quarantineTableNamedLikeADataset() {
    assertOneProblem(
        p -> {
          p.streamingTable("orders")
              .from(ORDERS)
              .expectOrDrop("valid_id", "order_id IS NOT NULL")
              .quarantine();
          p.table("orders_quarantine").from("orders");
        },
        "Dataset 'orders' asks for quarantine(), whose table 'orders_quarantine' is also a dataset of the pipeline."
            + " Rename that dataset.");
  }

  @Test
  void threeMistakesAreReportedTogether() {
    assertProblems(
        p -> {
          p.streamingTable("bronze orders").from(ORDERS);
          p.streamingTable("silver_orders").from("bronze_orders");
          p.createStreamingTable("customers");
          p.applyChanges("customers")
              .from("silver_orders")
              .keys("customer_id")
              .sequenceBy("updated_at")
              .storedAsScdType(3);
        },
        "Dataset 'bronze orders': the name is not a valid identifier. Use letters, digits and underscores,"
            + " starting with a letter or an underscore, at most 128 characters (it names a folder under the"
            + " pipeline's storage).",
        "applyChanges into 'customers' is stored as SCD type 3. Use storedAsScdType(1) (latest row per key) or"
            + " storedAsScdType(2) (a row per version).",
        "Dataset 'silver_orders': input 'bronze_orders' is not defined. Defined datasets: [bronze orders,"
            + " customers, silver_orders]. Check the name passed to from().");
  }

  @Test
  void nullArgumentsAreRejectedWhereTheyArePassed() {
    Pipeline p = Pipeline.create("shop", Map.of());
    assertThat(catchThrowable(() -> p.streamingTable("orders").from((String) null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("dataset");
    assertThat(catchThrowable(() -> p.streamingTable("orders").expect("valid", null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("constraint");
    assertThat(catchThrowable(() -> p.applyChanges(null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("target");
  }

  private static void cdcSource(Pipeline p) {
    p.streamingTable("cdc_raw").from(AutoLoader.json("/data/cdc"));
  }

  private static ApplyChangesBuilder customers(Pipeline p) {
    cdcSource(p);
    p.createStreamingTable("customers");
    return p.applyChanges("customers").from("cdc_raw").keys("customer_id").sequenceBy("updated_at");
  }

  private static void assertOneProblem(PipelineDefinition definition, String problem) {
    assertProblems(definition, problem);
  }

  private static void assertProblems(PipelineDefinition definition, String... problems) {
    Throwable thrown = catchThrowable(() -> Pipeline.plan("shop", Map.of(), definition));

    assertThat(thrown).isInstanceOf(PipelineDefinitionException.class);
    PipelineDefinitionException error = (PipelineDefinitionException) thrown;
    StringBuilder expected =
        new StringBuilder("Pipeline 'shop' has ")
            .append(problems.length)
            .append(problems.length == 1 ? " problem:" : " problems:");
    for (int i = 0; i < problems.length; i++) {
      expected.append(NL).append("  ").append(i + 1).append(". ").append(problems[i]);
    }
    assertThat(error.getMessage()).isEqualTo(expected.toString());
    assertThat(error.problems()).isEqualTo(List.of(problems));
    assertThat(error.pipeline()).isEqualTo("shop");
  }
}
