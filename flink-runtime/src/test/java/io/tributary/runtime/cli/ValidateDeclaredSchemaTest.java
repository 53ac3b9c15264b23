package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tributary validate} reports a table whose query does not match its declared schema with the others. */
class ValidateDeclaredSchemaTest {

  @TempDir Path dir;

  /** A declared schema the query does not match, and a lambda reading an undefined dataset. */
  public static final class SchemaMismatch implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze_orders")
          .from(AutoLoader.json("/data/orders").schema("order_id STRING, amount DOUBLE"));
      p.table("amounts")
          .sql("SELECT order_id, amount FROM bronze_orders")
          .schema("order_id BIGINT, amount DOUBLE");
      p.table("typo").query(ctx -> ctx.read("bronze_order"));
    }
  }

  @Test
  void validateReportsAMismatchedDeclaredSchemaWithTheOtherProblems() throws Exception {
    Path file = dir.resolve("pipeline.yml");
    Files.writeString(
        file,
        "name: shop\nstorage: storage\nlibraries:\n  - " + SchemaMismatch.class.getName() + "\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code =
        TributaryCli.run(
            new String[] {"validate", file.toString()},
            new PrintWriter(out, true),
            new PrintWriter(err, true));

    assertThat(code).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(err.toString())
        .isEqualTo(
            """
        Pipeline 'shop' has 2 problems:
          1. Table 'amounts': its query's columns do not match the schema declared with schema(): mistyped\
         [order_id: declared BIGINT, the query's STRING]. Declared: (order_id BIGINT, amount DOUBLE); the query\
         produces: (order_id STRING, amount DOUBLE). Change the query (select, rename or CAST its columns) or the\
         column list passed to schema() so that they match.
          2. Dataset 'typo': input 'bronze_order' is not defined. Defined datasets: [amounts, bronze_orders, typo].\
         Check the name passed to ctx.read().
        """);
    assertThat(dir.resolve("storage")).doesNotExist();
  }
}
