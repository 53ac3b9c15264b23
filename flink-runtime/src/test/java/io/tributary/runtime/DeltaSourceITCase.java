package io.tributary.runtime;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.DeltaSource;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline streaming a Delta table it does not write (written here by Tributary's committer, as
 * another pipeline would): each update reads only the versions committed since the last, compaction
 * adds nothing, a failure mid-stream loses and repeats nothing, and a delete or overwrite upstream
 * stops the stream with the fix unless skipChangeCommits is set. Every table is read back with Kernel.
 */
class DeltaSourceITCase {

  static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .getLogicalType();

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

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

  /**
   * orders_copy streams the upstream table (options from the configuration), orders_checked streams
   * orders_copy through FailOnce in the same job, and order_count counts the upstream's snapshot.
   */
  public static final class Copy implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      DeltaSource upstream = DeltaSource.path(p.conf("upstream", "/none"));
      for (String option : DeltaSource.OPTIONS.stream().sorted().toList()) {
        String value = p.conf(option, "");
        if (!value.isEmpty()) {
          upstream = upstream.option(option, value);
        }
      }
      p.streamingTable("orders_copy").from(upstream);
      p.streamingTable("orders_checked")
          .query(
              ctx -> {
                TableEnvironment env = ctx.tableEnvironment();
                if (!Arrays.asList(env.listUserDefinedFunctions()).contains("fail_once")) {
                  env.createTemporarySystemFunction("fail_once", FailOnce.class);
                }
                return ctx.readStream("orders_copy")
                    .select($("id"), call("fail_once", $("name")).as("name"));
              });
      p.table("order_count").from(DeltaSource.path(p.conf("upstream", "/none")));
    }
  }

  private UpdateResult update(UpstreamDeltaTable upstream, Map<String, String> options) {
    Map<String, String> conf = new HashMap<>(options);
    conf.put("upstream", upstream.path());
    return Tributary.pipeline(new Copy())
        .name("copy")
        .storage(dir.resolve("storage").toString())
        .configuration(conf)
        .parallelism(2)
        .triggerInterval(Duration.ofMillis(300))
        .development(false)
        .cluster(CLUSTER.cluster())
        .run();
  }

  private List<Row> table(String name) {
    return DeltaTableReader.readAll(dir.resolve("storage/tables/" + name).toString());
  }

  private static List<Row> rows(long from, long to) {
    List<Row> rows = new ArrayList<>();
    for (long id = from; id <= to; id++) {
      rows.add(Row.of(id, "n" + id));
    }
    return rows;
  }

  private static Row[] array(List<Row> rows) {
    return rows.toArray(Row[]::new);
  }

  @Test
  void eachUpdateReadsOnlyTheVersionsCommittedSinceTheLastAndCompactionAddsNothing() {
    FailOnce.FAIL_AT.set(-1);
    UpstreamDeltaTable upstream = new UpstreamDeltaTable(dir.resolve("orders").toString(), TYPE);
    upstream.append(array(rows(1, 2)));
    upstream.append(array(rows(3, 3)));

    UpdateResult first = update(upstream, Map.of());
    assertThat(first.state()).as("%s", first.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(table("orders_copy")).containsExactlyInAnyOrderElementsOf(rows(1, 3));
    assertThat(table("orders_checked")).containsExactlyInAnyOrderElementsOf(rows(1, 3));
    assertThat(table("order_count")).containsExactlyInAnyOrderElementsOf(rows(1, 3));

    upstream.compact();
    upstream.append(array(rows(4, 5)));
    UpdateResult second = update(upstream, Map.of());
    assertThat(second.state()).as("%s", second.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(table("orders_copy")).containsExactlyInAnyOrderElementsOf(rows(1, 5));
    assertThat(table("orders_checked")).containsExactlyInAnyOrderElementsOf(rows(1, 5));
    assertThat(table("order_count")).containsExactlyInAnyOrderElementsOf(rows(1, 5));

    long copyVersion =
        DeltaTableReader.version(dir.resolve("storage/tables/orders_copy").toString());
    UpdateResult third = update(upstream, Map.of());
    assertThat(third.state()).as("%s", third.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(table("orders_copy")).containsExactlyInAnyOrderElementsOf(rows(1, 5));
    assertThat(DeltaTableReader.version(dir.resolve("storage/tables/orders_copy").toString()))
        .as("nothing new upstream: no commit")
        .isEqualTo(copyVersion);
  }

  @Test
  void aFailureInjectedMidStreamEndsWithExactlyTheUpstreamRows() {
    UpstreamDeltaTable upstream = new UpstreamDeltaTable(dir.resolve("orders").toString(), TYPE);
    upstream.append(array(rows(1, 3)));
    upstream.append(array(rows(4, 6)));
    upstream.append(array(rows(7, 9)));
    FailOnce.ROWS.set(0);
    FailOnce.FAILED.set(false);
    FailOnce.FAIL_AT.set(5); // in the second file, admitted only after the first epoch's checkpoint

    UpdateResult result =
        update(upstream, Map.of("startingVersion", "0", "maxFilesPerTrigger", "1"));

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(FailOnce.FAILED).as("the failure was injected").isTrue();
    assertThat(table("orders_copy")).containsExactlyInAnyOrderElementsOf(rows(1, 9));
    assertThat(table("orders_checked")).containsExactlyInAnyOrderElementsOf(rows(1, 9));
  }

  @Test
  void aChangeCommitUpstreamFailsTheUpdateWithTheFixAndSkipChangeCommitsSkipsIt() {
    FailOnce.FAIL_AT.set(-1);
    UpstreamDeltaTable upstream = new UpstreamDeltaTable(dir.resolve("orders").toString(), TYPE);
    upstream.append(array(rows(1, 2)));
    assertThat(update(upstream, Map.of()).state()).isEqualTo(UpdateState.COMPLETED);

    long overwrite = upstream.overwrite(Row.of(100L, "n100"));
    upstream.append(array(rows(3, 3)));
    UpdateResult failed = update(upstream, Map.of());
    assertThat(failed.state()).isEqualTo(UpdateState.FAILED);
    assertThat(failed.error())
        .hasValueSatisfying(
            error ->
                assertThat(error)
                    .contains(
                        "version "
                            + overwrite
                            + " of table '"
                            + upstream.path()
                            + "' deletes or rewrites rows (an update, delete, merge or overwrite),"
                            + " which a stream of appends cannot carry. To skip such commits whole and read only appended data, set"
                            + " option(\"skipChangeCommits\", \"true\") on the DeltaSource"));
    assertThat(table("orders_copy")).containsExactlyInAnyOrderElementsOf(rows(1, 2));

    UpdateResult skipping = update(upstream, Map.of("skipChangeCommits", "true"));
    assertThat(skipping.state()).as("%s", skipping.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(table("orders_copy")).containsExactlyInAnyOrderElementsOf(rows(1, 3));
    assertThat(table("order_count"))
        .containsExactlyInAnyOrder(Row.of(100L, "n100"), Row.of(3L, "n3"));
  }

  @Test
  void aPathWithoutADeltaTableIsADefinitionErrorNamingThePath() {
    String missing = dir.resolve("nothing-here").toString();
    assertThatThrownBy(
            () ->
                Tributary.pipeline(new Copy())
                    .name("copy")
                    .storage(dir.resolve("storage").toString())
                    .configuration(Map.of("upstream", missing))
                    .validate())
        .isInstanceOfSatisfying(
            PipelineDefinitionException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        "Dataset 'orders_copy': DeltaSource '"
                            + missing
                            + "' is not a Delta table (no _delta_log with a"
                            + " commit). Check the path given to DeltaSource.path(), or write the table first (run the"
                            + " pipeline that writes it)."));
  }
}
