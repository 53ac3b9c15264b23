package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.DeltaTestFiles;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command of {@code tributary} run as a separate process, as a user runs it: its whole output
 * and its exit code. One update of a two-row pipeline (run once for the class) gives {@code status},
 * {@code events} and {@code sql} something to show; {@code maintain} gets a storage whose report is
 * longer than an output buffer.
 */
class TributaryCliProcessTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  @TempDir static Path dir;
  private static Path pipeline;
  private static CliProcess.Result started;

  /** Orders from JSON files, amounts that are not positive dropped. */
  public static final class Orders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("orders")
          .from(AutoLoader.json(p.conf("source", "/none")).schema("order_id STRING, amount DOUBLE"))
          .expectOrDrop("positive_amount", "amount > 0");
    }
  }

  @BeforeAll
  static void oneUpdate() throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        "{\"order_id\":\"o1\",\"amount\":5.0}\n{\"order_id\":\"o2\",\"amount\":7.5}\n{\"order_id\":\"o3\",\"amount\":-1.0}\n");
    pipeline = dir.resolve("pipeline.yml");
    Files.writeString(
        pipeline,
        "name: shop\nstorage: storage\nlibraries:\n  - "
            + Orders.class.getName()
            + "\nconfiguration:\n  source: "
            + input
            + "\nflink:\n  parallelism: 1\n");
    started = CliProcess.run(dir, TIMEOUT, "start", pipeline.toString());
  }

  @Test
  void startPrintsTheUpdateToItsEndAndExitsZero() {
    assertThat(started.code()).as(started.toString()).isZero();
    assertThat(started.out())
        .as(started.toString())
        .startsWith("Starting an update of pipeline 'shop' (storage ")
        .containsPattern(
            "\nUpdate 1 COMPLETED in \\d+\\.\\d s \\(the update: its jobs and their commits\\)\\."
                + " The command's timeline: \\d+\\.\\d s, of which \\d+\\.\\d s of analysis and planning before the update"
                + " and \\d+\\.\\d s of bookkeeping after it \\(maintenance, the event log\\)\n")
        // how many commits the update's micro-batches made depends on when its checkpoints fell
        .containsPattern(
            "Tables under "
                + dir.resolve("storage")
                + "/tables:\n"
                + "  orders                              2 rows  \\(Delta version \\d+; 2 written by this update\\)\n\\z");
  }

  @Test
  void startsSummaryPartsAddUpToItsTimeline() {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "COMPLETED in (\\d+\\.\\d) s .* timeline: (\\d+\\.\\d) s, of"
                    + " which (\\d+\\.\\d) s .* and (\\d+\\.\\d) s of bookkeeping")
            .matcher(started.out());
    assertThat(m.find()).as(started.toString()).isTrue();
    double update = Double.parseDouble(m.group(1));
    double timeline = Double.parseDouble(m.group(2));
    double before = Double.parseDouble(m.group(3));
    double after = Double.parseDouble(m.group(4));
    assertThat(timeline).isGreaterThan(update);
    assertThat(before).isPositive();
    assertThat(before + update + after)
        .isCloseTo(timeline, org.assertj.core.data.Offset.offset(0.25));
    // the timeline the progress lines show reaches at most the summary's
    java.util.regex.Matcher last =
        java.util.regex.Pattern.compile("\\[\\s*(\\d+\\.\\d) s\\]").matcher(started.out());
    double lastLine = 0;
    while (last.find()) {
      lastLine = Double.parseDouble(last.group(1));
    }
    assertThat(lastLine).isPositive().isLessThanOrEqualTo(timeline);
  }

  @Test
  void validatePrintsThePlanAndAWrongPipelineItsProblemsWithExitTwo() throws Exception {
    CliProcess.Result valid = CliProcess.run(dir, TIMEOUT, "validate", pipeline.toString());

    assertThat(valid.code()).as(valid.toString()).isZero();
    assertThat(valid.out())
        .isEqualTo(inProcess("validate", pipeline.toString()).out())
        .startsWith("Pipeline 'shop' is valid: 1 datasets, 1 flows.\n")
        .contains("expect_or_drop positive_amount: amount > 0");

    Path wrong = dir.resolve("wrong.yml");
    Files.writeString(wrong, "name: shop\nstorage: storage\nlibraries: [no.such.Pipeline]\n");
    CliProcess.Result bad = CliProcess.run(dir, TIMEOUT, "validate", wrong.toString());
    assertThat(bad.code()).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(bad.out()).isEmpty();
    assertThat(bad.err())
        .isEqualTo(
            "Pipeline 'shop': library no.such.Pipeline is not on the classpath."
                + inProcess("validate", wrong.toString())
                    .err()
                    .substring(
                        "Pipeline 'shop': library no.such.Pipeline is not on the classpath."
                            .length()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "mermaid", "dot"})
  void graphPrintsTheWholeGraphInEachFormat(String format) throws Exception {
    CliProcess.Result result =
        CliProcess.run(dir, TIMEOUT, "graph", pipeline.toString(), "--format", format);

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out())
        .isNotEmpty()
        .isEqualTo(inProcess("graph", pipeline.toString(), "--format", format).out());
    assertThat(result.out()).contains("orders");
  }

  @Test
  void statusShowsTheUpdateTheTableAndThePassRate() throws Exception {
    assertThat(started.code()).as(started.toString()).isZero();

    CliProcess.Result result = CliProcess.run(dir, TIMEOUT, "status", pipeline.toString());

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out())
        .startsWith(
            "Pipeline 'shop' (storage "
                + dir.resolve("storage")
                + ")\nLast updates:\n  #1    COMPLETED  started ")
        // the version the update's own summary printed
        .contains(
            "Tables:\n  orders                              2 rows  (Delta version "
                + startedVersion()
                + ")\n")
        .endsWith(
            "  orders.positive_amount                    66.67% passed  (2 passed, 1 failed)\n");
  }

  /** The table version {@code start} printed in its summary. */
  private static String startedVersion() {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\n  orders +2 rows  \\(Delta version (\\d+); ")
            .matcher(started.out());
    assertThat(m.find()).as(started.toString()).isTrue();
    return m.group(1);
  }

  @Test
  void eventsPrintsTheWholeLogPlainAndAsJson() throws Exception {
    assertThat(started.code()).as(started.toString()).isZero();

    CliProcess.Result plain = CliProcess.run(dir, TIMEOUT, "events", pipeline.toString());
    CliProcess.Result json = CliProcess.run(dir, TIMEOUT, "events", pipeline.toString(), "--json");

    assertThat(plain.code()).as(plain.toString()).isZero();
    assertThat(plain.out()).isEqualTo(inProcess("events", pipeline.toString()).out());
    assertThat(plain.out().lines().findFirst().orElseThrow())
        .contains("user_action")
        .contains("User requested START");
    assertThat(plain.out().lines().reduce((a, b) -> b).orElseThrow())
        .contains("Update 1 is COMPLETED.");
    assertThat(json.code()).as(json.toString()).isZero();
    assertThat(json.out()).isEqualTo(inProcess("events", pipeline.toString(), "--json").out());
    assertThat(json.out().lines().count())
        .isEqualTo(plain.out().lines().filter(l -> !l.startsWith("    ")).count());
  }

  @Test
  void sqlPrintsEveryRowOfTheResult() throws Exception {
    assertThat(started.code()).as(started.toString()).isZero();

    CliProcess.Result result =
        CliProcess.run(
            dir,
            TIMEOUT,
            "sql",
            pipeline.toString(),
            "SELECT order_id, amount FROM orders ORDER BY order_id");

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo(
            """
        +----------+--------+
        | order_id | amount |
        +----------+--------+
        |       o1 |    5.0 |
        |       o2 |    7.5 |
        +----------+--------+
        2 rows in set
        """);
  }

  @Test
  void sqlPrintsCsvAndJsonForScripts() throws Exception {
    assertThat(started.code()).as(started.toString()).isZero();

    CliProcess.Result csv =
        CliProcess.run(
            dir,
            TIMEOUT,
            "sql",
            pipeline.toString(),
            "SELECT order_id, amount FROM orders ORDER BY order_id",
            "--format",
            "csv");
    CliProcess.Result json =
        CliProcess.run(
            dir,
            TIMEOUT,
            "sql",
            pipeline.toString(),
            "SELECT order_id, amount FROM orders ORDER BY order_id",
            "--format",
            "json");
    CliProcess.Result wrong =
        CliProcess.run(dir, TIMEOUT, "sql", pipeline.toString(), "SELECT 1", "--format", "xml");

    assertThat(csv.code()).as(csv.toString()).isZero();
    assertThat(csv.out()).isEqualTo("order_id,amount\no1,5.0\no2,7.5\n");
    assertThat(json.code()).as(json.toString()).isZero();
    assertThat(json.out())
        .isEqualTo("{\"order_id\":\"o1\",\"amount\":5.0}\n{\"order_id\":\"o2\",\"amount\":7.5}\n");
    assertThat(wrong.code()).isEqualTo(TributaryCli.DEFINITION_ERROR);
    assertThat(wrong.err())
        .startsWith(
            "--format xml is not a result format. Use table, csv or json.\nUsage: tributary sql");
  }

  @Test
  void ctrlCStopsAContinuousUpdateAndItsEndIsPrintedBeforeTheProcessExits() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("continuous.yml"),
            Files.readString(pipeline) + "continuous: true\ntrigger:\n  interval: 1 s\n");
    CliProcess running =
        CliProcess.start(
            dir, "start", file.toString(), "--storage", dir.resolve("interrupted").toString());
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    String table = dir.resolve("interrupted/tables/orders").toString();
    // Ctrl-C once the first epoch has committed the rows
    while (!(running.outSoFar().contains("Running continuously")
        && io.tributary.runtime.delta.read.DeltaTableSummary.of(table)
            .map(t -> t.rows() == 2)
            .orElse(false))) {
      assertThat(running.isAlive()).as("the update runs: %s", running.outSoFar()).isTrue();
      assertThat(System.nanoTime())
          .as("the update has committed its rows within %s: %s", TIMEOUT, running.outSoFar())
          .isLessThan(deadline);
      Thread.sleep(200);
    }

    new ProcessBuilder("kill", "-INT", String.valueOf(running.pid())).inheritIO().start().waitFor();
    CliProcess.Result result = running.await(TIMEOUT);

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out())
        .as(result.toString())
        .contains(
            "Stopping the update (INT): the running micro-batches commit; signal again to quit at once.\n")
        .containsPattern(
            "Update 1 STOPPED in [0-9.]+ s \\(the update: its jobs and their commits\\)\\. [^\n]+\n")
        .containsPattern(
            "Tables under "
                + dir.resolve("interrupted")
                + "/tables:\n"
                + "  orders                              2 rows  \\(Delta version \\d+; 2 written by this update\\)\n\\z");
    assertThat(result.err()).isEmpty();
  }

  @Test
  void stopWithoutARunningUpdateSaysSo() throws Exception {
    CliProcess.Result result = CliProcess.run(dir, TIMEOUT, "stop", pipeline.toString());

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("Pipeline 'shop' has no running update.\n");
  }

  private static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .getLogicalType();

  @Test
  void maintainPrintsAReportLongerThanAnOutputBufferToItsLastLine() throws Exception {
    Path root = dir.resolve("maintained");
    PipelineStorage storage = PipelineStorage.at(root.toString(), new Configuration());
    Engine engine = DefaultEngine.create(new Configuration());
    String gold = storage.tablePath("gold");
    new DeltaTableCommitter(engine, DeltaWriteSpec.overwrite(gold, TYPE, "shop/gold/g1", 1))
        .commit(1, DeltaTestFiles.write(gold, TYPE, List.of(Row.of(1L, "only"))), true);
    for (int i = 0; i < 150; i++) {
      Path orphan =
          Files.writeString(
              root.resolve(
                  String.format(
                      "tables/gold/part-%05d-aborted-epoch-of-a-killed-attempt-0.snappy.parquet",
                      i)),
              "x");
      Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofDays(8))));
    }
    Path file = dir.resolve("maintained.yml");
    Files.writeString(file, "name: shop\nstorage: " + root + "\nlibraries:\n  - no.Such\n");

    CliProcess.Result result =
        CliProcess.run(dir, TIMEOUT, "maintain", file.toString(), "--dry-run");

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out().length()).isGreaterThan(8192);
    assertThat(result.out())
        .isEqualTo(inProcess("maintain", file.toString(), "--dry-run").out())
        .contains("part-00149-aborted-epoch-of-a-killed-attempt-0.snappy.parquet\n")
        .endsWith(
            "  log: the latest version has a checkpoint; expired log files are not counted in a dry run\n");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"validate", "start", "stop", "status", "events", "graph", "sql", "maintain", "ui"})
  void helpOfEachCommandPrintsItsUsageAndExitsZero(String command) throws Exception {
    CliProcess.Result result = CliProcess.run(dir, TIMEOUT, command, "--help");

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .startsWith("Usage: tributary " + command + " ")
        .contains("PIPELINE.yml")
        .contains("-h, --help");
  }

  @Test
  void helpOfTheCommandListsEveryCommand() throws Exception {
    CliProcess.Result result = CliProcess.run(dir, TIMEOUT, "--help");

    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.out())
        .startsWith("Usage: tributary ")
        .contains("validate", "start", "stop", "graph", "sql", "events", "status", "maintain");
  }

  private static CliProcess.Result inProcess(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = TributaryCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliProcess.Result(code, out.toString(), err.toString());
  }
}
