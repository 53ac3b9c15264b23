package io.tributary.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every name that becomes a folder under the pipeline's storage ({@code tables/<dataset>},
 * {@code _tributary/schemas/<dataset or flow>}, {@code generations/}, {@code once/<flow>}, the state of
 * the job named after a table) is refused at validation when it could reach outside its folder or
 * mean something else to a file system: parent steps, separators of either kind, absolute paths,
 * drives, NUL and other control characters, and anything but letters, digits and underscores. Every
 * such problem of a pipeline is reported at once, for datasets declared by the DSL's verbs, defined by
 * SQL, and for append flows.
 */
class NamesCannotEscapeStorageTest {

  private static final AutoLoader ORDERS = AutoLoader.json("/data/orders");

  private static String problem(String what, String shown) {
    return what
        + " '"
        + shown
        + "': the name is not a valid identifier. Use letters, digits and underscores,"
        + " starting with a letter or an underscore, at most 128 characters (it names a folder under the"
        + " pipeline's storage).";
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../../etc",
        "..",
        ".",
        "..\\..\\windows",
        "a\\b",
        "/etc/passwd",
        "/tmp",
        "C:\\temp",
        "c:x",
        "orders/../../x",
        "~root",
        "$HOME",
        "orders%2F..",
        "orders*",
        "a b",
        "ørders",
        "orders.json",
        "s3a://bucket/x",
        "-orders"
      })
  void aPathLikeDatasetNameIsRefused(String name) {
    PipelineDefinitionException error =
        catchThrowableOfType(
            PipelineDefinitionException.class,
            () -> Pipeline.plan("shop", Map.of(), p -> p.streamingTable(name).from(ORDERS)));

    assertThat(error).isNotNull();
    assertThat(error.problems()).containsExactly(problem("Dataset", name));
  }

  @Test
  void nulAndLineEndsAreRefusedAndShownEscaped() {
    PipelineDefinitionException error =
        catchThrowableOfType(
            PipelineDefinitionException.class,
            () ->
                Pipeline.plan(
                    "shop",
                    Map.of(),
                    p -> {
                      p.streamingTable("orders\u0000.json").from(ORDERS);
                      p.table("gold\nrm -rf").sql("SELECT 1 AS n");
                    }));

    assertThat(error.problems())
        .containsExactly(
            problem("Dataset", "orders\\u0000.json"), problem("Dataset", "gold\\u000arm -rf"));
    assertThat(error.getMessage()).doesNotContain("\u0000");
  }

  @Test
  void everyUnsafeNameOfAPipelineIsReportedAtOnceForVerbsSqlAndFlows() {
    PipelineDefinitionException error =
        catchThrowableOfType(
            PipelineDefinitionException.class,
            () ->
                Pipeline.plan(
                    "shop",
                    Map.of(),
                    p -> {
                      p.streamingTable("../bronze").from(ORDERS);
                      p.table("/abs/gold").sql("SELECT 1 AS n");
                      p.view("v\\w").sql("SELECT 1 AS n");
                      p.createStreamingTable("all_orders");
                      p.appendFlow("../../flow").target("all_orders").from(ORDERS);
                      p.appendFlow("ok_flow").target("all_orders").from(ORDERS);
                      p.table("fine").sql("SELECT 1 AS n");
                    }));

    assertThat(error).isNotNull();
    assertThat(error.problems())
        .containsExactlyInAnyOrder(
            problem("Dataset", "../bronze"),
            problem("Dataset", "/abs/gold"),
            problem("Dataset", "v\\w"),
            problem("Flow", "../../flow"));
  }
}
