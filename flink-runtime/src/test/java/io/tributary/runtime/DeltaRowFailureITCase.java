package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.DeltaSource;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A row read from a Delta table (a streaming table streaming a table another pipeline writes) on which
 * an expectation's expression throws ({@code CAST(amount AS INT) > 0} meeting {@code 'abc'}): the
 * update fails at once naming the pipeline, the dataset, the source table, its version, the data file,
 * the row's index in it and its values, and the hint, as for a row of an Auto Loader file.
 */
class DeltaRowFailureITCase {

  private static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("order_id", DataTypes.STRING()),
                  DataTypes.FIELD("amount", DataTypes.STRING()))
              .getLogicalType();

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /** Orders streamed from another pipeline's table, whose expectation casts the amount. */
  public static final class CheckedOrders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("checked_orders")
          .from(DeltaSource.path(p.conf("upstream", "/none")))
          .expectOrDrop("positive_amount", "CAST(amount AS INT) > 0");
    }
  }

  @Test
  void aRowOfADeltaTableThatMakesAnExpressionThrowNamesTheTableItsVersionTheFileAndTheRow()
      throws Exception {
    UpstreamDeltaTable upstream = new UpstreamDeltaTable(dir.resolve("orders").toString(), TYPE);
    upstream.append(Row.of("o1", "5"));
    long version = upstream.append(Row.of("o2", "7"), Row.of("o3", "abc"), Row.of("o4", "9"));

    RunningUpdate running =
        Tributary.pipeline(new CheckedOrders())
            .name("shop")
            .storage(dir.resolve("storage").toString())
            .configuration(Map.of("upstream", upstream.path()))
            .parallelism(1)
            .triggerInterval(Duration.ofMinutes(10))
            .development(false)
            .retries(2, Duration.ofMillis(10))
            .cluster(CLUSTER.cluster())
            .start();
    UpdateResult result = running.await();

    assertThat(result.state()).isEqualTo(UpdateState.FAILED);
    String error = result.error().orElseThrow();
    assertThat(error)
        .startsWith(
            "Pipeline 'shop', dataset 'checked_orders': a row made the dataset's query or its"
                + " expectations fail: For input string: 'abc'");
    Matcher origin =
        Pattern.compile(
                "The row came from file (\\S+), record 2 of Delta table (file:)?"
                    + Pattern.quote(upstream.path())
                    + " at version "
                    + version
                    + ": \\{order_id=o3, amount=abc\\}\\.")
            .matcher(error);
    assertThat(origin.find()).as(error).isTrue();
    String file = origin.group(1).replaceFirst("^file:", "");
    assertThat(file)
        .as("a data file of the table")
        .startsWith(upstream.path())
        .endsWith(".parquet");
    assertThat(Files.isRegularFile(Path.of(file))).as(file).isTrue();
    assertThat(error)
        .contains(
            "The expectation that evaluates it, evaluated with the query in one operator, so the failing one"
                + " is not told apart: 'positive_amount' (CAST(amount AS INT) > 0).")
        .contains("('positive_amount' as TRY_CAST(amount AS INT) > 0).");
    assertThat(
            running.events().stream()
                .filter(e -> e.dataset().equals("checked_orders") && e.state() == FlowState.FAILED)
                .count())
        .as("the same row fails every attempt: not retried")
        .isEqualTo(1);
    // Flink takes a job's first checkpoint at a random moment of its first interval, which can fall
    // between two rows: an epoch before the failing row's may be committed; the failing row's
    // epoch,
    // the row and what follows it in its file, never
    assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/checked_orders").toString()))
        .as("nothing of the epoch holding the row is committed")
        .extracting(row -> row.getField(0))
        .isSubsetOf("o1", "o2");
  }
}
