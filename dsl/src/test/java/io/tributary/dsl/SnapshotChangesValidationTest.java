package io.tributary.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tributary.dsl.plan.Flow;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.LogicalPlan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code applyChangesFromSnapshot}: what the plan records, and every problem {@code Pipeline.build()}
 * reports for it, each asserted as the whole message.
 */
class SnapshotChangesValidationTest {

  private static final String NL = System.lineSeparator();
  private static final AutoLoader EXPORTS = AutoLoader.parquet("/data/exports");

  @Test
  void aSnapshotFlowReadsItsSourceAsASnapshotAndIsDescribed() {
    LogicalPlan plan =
        Pipeline.plan(
            "shop",
            Map.of(),
            p -> {
              p.table("products_export").from(EXPORTS);
              p.createStreamingTable("products");
              p.applyChangesFromSnapshot("products")
                  .fromSnapshot("products_export")
                  .keys("id")
                  .storedAsScdType(2)
                  .exceptColumnList("note")
                  .trackHistoryColumnList("name");
              p.createStreamingTable("stock");
              p.applyChangesFromSnapshot("stock")
                  .fromSnapshots((ctx, latest) -> Optional.empty())
                  .keys("sku")
                  .columnList("sku", "count");
            });

    assertThat(plan.inputsOf("products")).containsExactly(Input.snapshot("products_export"));
    assertThat(plan.inputsOf("stock")).isEmpty();
    assertThat(plan.flows())
        .extracting(Flow::name, f -> f.getClass().getSimpleName())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("products_export", "QueryFlow"),
            org.assertj.core.groups.Tuple.tuple("products", "SnapshotChangesFlow"),
            org.assertj.core.groups.Tuple.tuple("stock", "SnapshotChangesFlow"));
    assertThat(plan.describe())
        .isEqualTo(
            """
        pipeline shop
          table products_export
            from AutoLoader parquet /data/exports
          streaming table products (flow target)
            reads products_export
            apply changes from snapshot into products
              from products_export
              keys [id] scd type 2
              except columns [note]
              track history [name]
          streaming table stock (flow target)
            apply changes from snapshot into stock
              from <snapshot function>
              keys [sku] scd type 1
              columns [sku, count]
        """);
  }

  @Test
  void everyProblemOfASnapshotFlowIsReportedAtOnce() {
    assertProblems(
        p -> {
          p.table("products_export").from(EXPORTS);
          p.createStreamingTable("products");
          p.applyChangesFromSnapshot("products")
              .fromSnapshot("products_export")
              .keys()
              .storedAsScdType(3)
              .columnList("id")
              .exceptColumnList("note")
              .trackHistoryColumnList("name")
              .trackHistoryExceptColumnList("note");
          p.applyChangesFromSnapshot("history")
              .fromSnapshot("products_export")
              .keys("id")
              .trackHistoryColumnList("name");
        },
        "applyChangesFromSnapshot into 'products' has no keys (the columns that identify a row). Add"
            + " keys(\"<column>\", …) to p.applyChangesFromSnapshot(\"products\").",
        "applyChangesFromSnapshot into 'products' is stored as SCD type 3. Use storedAsScdType(1) (the latest"
            + " snapshot's rows) or storedAsScdType(2) (a row per version).",
        "applyChangesFromSnapshot into 'products' sets both columnList and exceptColumnList. They are mutually"
            + " exclusive: keep one.",
        "applyChangesFromSnapshot into 'products' sets both trackHistoryColumnList and"
            + " trackHistoryExceptColumnList. They are mutually exclusive: keep one.",
        "applyChangesFromSnapshot into 'history': the target is not defined. Declare it with"
            + " p.createStreamingTable(\"history\").",
        "applyChangesFromSnapshot into 'history' tracks history columns, but is stored as SCD type 1, which keeps"
            + " no history. Use storedAsScdType(2), or remove the history column list.");
  }

  @Test
  void theTargetIsAStreamingTableCreatedForFlowsAndFedByThisFlowAlone() {
    assertProblems(
        p -> {
          p.table("products_export").from(EXPORTS);
          p.streamingTable("products").from(EXPORTS);
          p.applyChangesFromSnapshot("products").fromSnapshot("products_export").keys("id");
          p.createStreamingTable("stock");
          p.applyChanges("stock").from("products_export").keys("id").sequenceBy("seq");
          p.applyChangesFromSnapshot("stock").fromSnapshot("products_export").keys("id");
          p.createStreamingTable("prices");
          p.applyChangesFromSnapshot("prices").fromSnapshot("products_export").keys("id");
          p.applyChangesFromSnapshot("prices").fromSnapshot("products_export").keys("id");
        },
        "applyChangesFromSnapshot into 'products': the target is a streaming table with a query of its own. A"
            + " snapshot target must be declared with p.createStreamingTable(\"products\").",
        "Streaming table 'stock' is written both by applyChangesFromSnapshot and by applyChanges. A snapshot flow"
            + " owns its target (each snapshot replaces what the previous one said): write them to two tables.",
        "applyChangesFromSnapshot into 'prices' is declared 2 times. A target has one snapshot source: remove all"
            + " but one.",
        "Dataset 'stock' reads table 'products_export' as a stream, but 'products_export' is a materialized table,"
            + " recomputed on every update, so it has no stream of new rows. Read it as a snapshot (from(…) on a"
            + " table or view, ctx.read(…)), or make 'products_export' a streaming table.");
  }

  @Test
  void aSnapshotTargetNeedsNoOtherFlowAndItsSourceMustBeDefined() {
    assertProblems(
        p -> {
          p.createStreamingTable("products");
          p.applyChangesFromSnapshot("products").fromSnapshot("product_export").keys("id");
        },
        "Dataset 'products': input 'product_export' is not defined. Defined datasets: [products]. Check the name"
            + " passed to applyChangesFromSnapshot(…).fromSnapshot().");
  }

  @Test
  void aFlowLeftWithoutItsStepsNamesWhatIsMissing() {
    assertProblems(
        p -> {
          p.createStreamingTable("products");
          p.applyChangesFromSnapshot("products");
        },
        "applyChangesFromSnapshot into 'products' has no source (where the snapshots come from). Add"
            + " fromSnapshot(\"<dataset>\") or fromSnapshots(function) to p.applyChangesFromSnapshot(\"products\").",
        "applyChangesFromSnapshot into 'products' has no keys (the columns that identify a row). Add"
            + " keys(\"<column>\", …) to p.applyChangesFromSnapshot(\"products\").");
  }

  @Test
  void aSnapshotTargetIsNotReadAsAStream() {
    assertProblems(
        p -> {
          p.table("products_export").from(EXPORTS);
          p.createStreamingTable("products");
          p.applyChangesFromSnapshot("products").fromSnapshot("products_export").keys("id");
          p.streamingTable("product_feed").from("products");
        },
        "Dataset 'product_feed' reads 'products' as a stream, but 'products' is an applyChanges target whose"
            + " commits update and delete rows, so it has no stream of new rows. Read it as a snapshot from a table"
            + " or view: from(\"products\") or ctx.read(\"products\").");
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
    assertThat(error.problems()).isEqualTo(List.of(problems));
    assertThat(error.getMessage()).isEqualTo(expected.toString());
  }
}
