package io.tributary.runtime.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinitionException;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/** A table's declared schema ({@code schema(ddl)}) is checked against its query and applied. */
class DeclaredSchemaAnalysisTest {

  private static final RowType ORDERS =
      RowType.of(
          new LogicalType[] {
            VarCharType.STRING_TYPE, VarCharType.STRING_TYPE, new DoubleType(), new BigIntType()
          },
          new String[] {"order_id", "customer_id", "total_amount", "ts"});

  private static final String TOTALS =
      "SELECT customer_id, SUM(total_amount) AS total, COUNT(*) AS n FROM bronze GROUP BY customer_id";

  private final Analyzer analyzer = new Analyzer((dataset, source) -> ORDERS, List.of());

  @Test
  void aMatchingDeclarationGivesTheTableItsOrderAndNullability() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("bronze").from(AutoLoader.json("/data/orders"));
    p.table("totals")
        .sql(TOTALS)
        .schema("n BIGINT, customer_id STRING NOT NULL COMMENT 'who ordered', total DOUBLE");
    p.table("top").sql("SELECT * FROM totals");

    ResolvedPlan resolved = analyzer.analyze(p.build());

    assertThat(resolved.schema("totals"))
        .isEqualTo(
            new RowType(
                false,
                List.of(
                    new RowType.RowField("n", new BigIntType(true)),
                    new RowType.RowField(
                        "customer_id", new VarCharType(false, VarCharType.MAX_LENGTH)),
                    new RowType.RowField("total", new DoubleType(true)))));
    assertThat(resolved.schema("top").getFieldNames())
        .as("readers see the declared table")
        .containsExactly("n", "customer_id", "total");
    assertThat(resolved.schema("top").getTypeAt(1).isNullable()).isFalse();
  }

  @Test
  void aMismatchNamesEveryMissingExtraAndMistypedColumnWithTheOtherProblems() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("bronze").from(AutoLoader.json("/data/orders"));
    p.table("totals").sql(TOTALS).schema("customer_id STRING, total DECIMAL(10, 2), orders BIGINT");
    p.table("typo").query(ctx -> ctx.read("bronze_order"));

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "Table 'totals': its query's columns do not match the schema declared with schema(): missing"
                            + " [orders BIGINT] (declared, not produced by the query); extra [n BIGINT] (produced by the query,"
                            + " not declared); mistyped [total: declared DECIMAL(10, 2), the query's DOUBLE]. Declared:"
                            + " (customer_id STRING, total DECIMAL(10, 2), orders BIGINT); the query produces: (customer_id"
                            + " STRING, total DOUBLE, n BIGINT NOT NULL). Change the query (select, rename or CAST its columns)"
                            + " or the column list passed to schema() so that they match.",
                        "Dataset 'typo': input 'bronze_order' is not defined. Defined datasets: [bronze, totals, typo]. Check"
                            + " the name passed to ctx.read()."));
  }

  @Test
  void aDeclarationWithAPrimaryKeyIsRefused() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("bronze").from(AutoLoader.json("/data/orders"));
    p.table("totals")
        .sql(TOTALS)
        .schema(
            "customer_id STRING NOT NULL, total DOUBLE, n BIGINT, PRIMARY KEY (customer_id) NOT ENFORCED");

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "Table 'totals': the schema declared with schema(\"customer_id STRING NOT NULL, total DOUBLE, n BIGINT,"
                            + " PRIMARY KEY (customer_id) NOT ENFORCED\") is not a valid column list: it declares a primary key."
                            + " Write it as \"name TYPE [NOT NULL] [COMMENT '…'], …\", in Flink SQL's types."));
  }

  @Test
  void anUnknownTypeIsADefinitionProblem() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("bronze").from(AutoLoader.json("/data/orders"));
    p.table("totals").sql(TOTALS).schema("customer_id STRNG, total DOUBLE, n BIGINT");

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith(
                        "Table 'totals': the schema declared with schema(\"customer_id STRNG, total DOUBLE, n BIGINT\")"
                            + " is not a valid column list: ")
                    .contains("STRNG")
                    .endsWith(
                        ". Write it as \"name TYPE [NOT NULL] [COMMENT '…'], …\", in Flink SQL's types."));
  }

  @Test
  void aTableReadingASourceDirectlyIsCheckedButKeepsTheSourceColumns() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("bronze")
        .from(AutoLoader.json("/data/orders"))
        .schema("ts BIGINT, order_id STRING NOT NULL, customer_id STRING, total_amount DOUBLE");
    p.streamingTable("wrong").from(AutoLoader.json("/data/orders")).schema("order_id BIGINT");

    assertThatThrownBy(() -> analyzer.analyze(p.build()))
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith(
                        "Streaming table 'wrong': its query's columns do not match the schema declared"
                            + " with schema(): extra [customer_id STRING, total_amount DOUBLE, ts BIGINT]"));
    Pipeline valid = Pipeline.create("shop", Map.of());
    valid
        .streamingTable("bronze")
        .from(AutoLoader.json("/data/orders"))
        .schema("ts BIGINT, order_id STRING NOT NULL, customer_id STRING, total_amount DOUBLE");

    assertThat(analyzer.analyze(valid.build()).schema("bronze").getFields())
        .isEqualTo(ORDERS.getFields());
  }
}
