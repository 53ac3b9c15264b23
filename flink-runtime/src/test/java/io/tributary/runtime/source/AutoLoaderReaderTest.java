package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoLoaderReaderTest {

  @TempDir Path dir;

  @Test
  void aReaderWithoutAFileAsksForOneAndMarksItsOutputIdleUntilItGetsOne() throws Exception {
    AutoLoader spec = AutoLoader.json(dir.toString()).schema("a STRING");
    Path file = Files.write(dir, "a.json", "{\"a\":\"x\"}\n{\"a\":\"y\"}\n");
    Context context = new Context();
    Output output = new Output();
    try (AutoLoaderReader reader =
        new AutoLoaderReader(
            context,
            Files.format(
                spec,
                AutoLoaderSchemas.resolve(
                    spec, "/unused", new org.apache.hadoop.conf.Configuration())))) {
      reader.start();
      assertThat(context.splitRequests).isEqualTo(1);
      assertThat(reader.pollNext(output)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
      assertThat(output.idleMarks).isEqualTo(1);
      assertThat(reader.pollNext(output)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
      assertThat(output.idleMarks).isEqualTo(1);

      reader.addSplits(List.of(Files.split(file)));
      assertThat(reader.isWaitingForSplit()).isFalse();
      reader.pollNext(output);
      assertThat(output.activeMarks).isEqualTo(1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (context.splitRequests < 2 && System.nanoTime() < deadline) {
        InputStatus status = reader.pollNext(output);
        if (status == InputStatus.NOTHING_AVAILABLE && context.splitRequests < 2) {
          assertThat(output.idleMarks).as("not idle while reading a file").isEqualTo(1);
          reader.isAvailable().get(10, TimeUnit.SECONDS);
        }
      }
      reader.pollNext(output);

      assertThat(output.rows).extracting(r -> r.getString(0).toString()).containsExactly("x", "y");
      assertThat(context.splitRequests).isEqualTo(2);
      assertThat(output.idleMarks).isEqualTo(2);
      assertThat(output.activeMarks).isEqualTo(1);
    }
  }

  @Test
  void aReaderEmitsTheWatermarkOfAFinishedFileBeforeItAsksForTheNextOne() throws Exception {
    AutoLoader spec =
        AutoLoader.json(dir.toString())
            .schema("a STRING, ts TIMESTAMP(3)")
            .withWatermark("ts", "10 minutes");
    Path file =
        Files.write(
            dir,
            "a.json",
            """
        {"a":"x","ts":"2024-03-01T03:00:00Z"}
        {"a":"y","ts":"2024-03-01T01:30:00Z"}
        {"a":"z","ts":null}
        """);
    var type =
        AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());
    Context context = new Context();
    Output output = new Output();
    try (AutoLoaderReader reader =
        new AutoLoaderReader(context, Files.format(spec, type), EventTimeBound.of(spec, type))) {
      reader.start();
      reader.addSplits(List.of(Files.split(file)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (context.splitRequests < 2 && System.nanoTime() < deadline) {
        if (reader.pollNext(output) == InputStatus.NOTHING_AVAILABLE && context.splitRequests < 2) {
          assertThat(output.watermarks).as("no watermark while the file is being read").isEmpty();
          reader.isAvailable().get(10, TimeUnit.SECONDS);
        }
      }

      // the pollNext that finished the file and asked for the next one has emitted its watermark
      assertThat(context.splitRequests).isEqualTo(2);
      assertThat(output.rows).hasSize(3);
      assertThat(output.watermarks)
          .containsExactly(java.time.Instant.parse("2024-03-01T02:50:00Z").toEpochMilli() - 1);
    }
  }

  @Test
  void aReaderWithoutADeclaredWatermarkEmitsNone() throws Exception {
    AutoLoader spec = AutoLoader.json(dir.toString()).schema("a STRING, ts TIMESTAMP(3)");
    Path file = Files.write(dir, "a.json", "{\"a\":\"x\",\"ts\":\"2024-03-01T03:00:00Z\"}\n");
    var type =
        AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());
    Context context = new Context();
    Output output = new Output();
    try (AutoLoaderReader reader =
        new AutoLoaderReader(context, Files.format(spec, type), EventTimeBound.of(spec, type))) {
      reader.start();
      reader.addSplits(List.of(Files.split(file)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (context.splitRequests < 2 && System.nanoTime() < deadline) {
        if (reader.pollNext(output) == InputStatus.NOTHING_AVAILABLE && context.splitRequests < 2) {
          reader.isAvailable().get(10, TimeUnit.SECONDS);
        }
      }

      assertThat(context.splitRequests).isEqualTo(2);
      assertThat(output.rows).hasSize(1);
      assertThat(output.watermarks).isEmpty();
    }
  }

  /** A record whose CAST(a AS INT) fails, as the planner's Calc fails it, chained behind the source. */
  private static void castToInt(RowData record) {
    try {
      org.apache.flink.table.data.binary.BinaryStringDataUtil.toInt(
          (org.apache.flink.table.data.binary.BinaryStringData) record.getString(0));
    } catch (NumberFormatException e) {
      throw new org.apache.flink.streaming.runtime.tasks.ExceptionInChainedOperatorException(
          "Could not forward element to next operator", e);
    }
  }

  @Test
  void anExpressionFailingOnARecordIsRethrownNamingTheFileTheLineAndTheValues() throws Exception {
    AutoLoader spec = AutoLoader.json(dir.toString()).schema("a STRING, b STRING");
    Path file =
        Files.write(
            dir,
            "a.json",
            "\n{\"a\":\"1\",\"b\":\"x\"}\n\n{\"a\":\"abc\",\"b\":\"y\"}\n{\"a\":\"2\"}\n");

    SourceRowException error = failureReading(spec, Files.split(file));

    assertThat(error)
        .hasMessage(
            "Auto Loader source 'test_source': the record at line 4 of file "
                + Files.flinkPath(file)
                + " failed in an operator after the source: For input string: 'abc'. Invalid "
                + "character found. The record: {a=abc, b=y}.");
    assertThat(error.position()).contains("line 4");
    assertThat(error.getCause())
        .as("Flink's exception is kept as the cause")
        .isInstanceOf(
            org.apache.flink.streaming.runtime.tasks.ExceptionInChainedOperatorException.class);
  }

  @Test
  void aRecordAnExpressionFailsOnIsNonRecoverableForFlinkWhereverItIsInTheChain() throws Exception {
    AutoLoader spec = AutoLoader.json(dir.toString()).schema("a STRING");
    Path file = Files.write(dir, "a.json", "{\"a\":\"abc\"}\n");

    SourceRowException error = failureReading(spec, Files.split(file));

    assertThat(
            org.apache.flink.runtime.executiongraph.failover.ExecutionFailureHandler
                .isUnrecoverableError(
                    new org.apache.flink.runtime.JobException("task failed", error)))
        .as("Flink fails the job at once: the same record fails every restart")
        .isTrue();
    assertThat(
            org.apache.flink.runtime.executiongraph.failover.ExecutionFailureHandler
                .isUnrecoverableError(error.getCause()))
        .as("what the chained operator threw, unwrapped, is recoverable for Flink")
        .isFalse();
  }

  @Test
  void aRestoredSplitCountsItsRecordsFromItsRestoredPosition() throws Exception {
    AutoLoader spec = AutoLoader.json(dir.toString()).schema("a STRING");
    String text = "\n{\"a\":\"1\"}\n{\"a\":\"2\"}\n\n{\"a\":\"abc\"}\n";
    Path file = Files.write(dir, "a.json", text);
    long afterLine2 = text.indexOf('\n', 1) + 1;
    // as Flink restores a split: an offset where a batch started, and records to skip after it
    var split =
        Files.split(file)
            .updateWithCheckpointedPosition(
                new org.apache.flink.connector.file.src.util.CheckpointedPosition(afterLine2, 1));

    assertThat(failureReading(spec, split).position()).contains("line 5");
  }

  @Test
  void exceptionsNotThrownByThePlannersCodeOnARecordPassUnchanged() {
    RuntimeException ours = new IllegalStateException("a bug in a chained operator");
    assertThat(AutoLoaderReader.thrownOnTheRecord(ours))
        .as("thrown by Tributary's own code")
        .isFalse();
    assertThat(
            AutoLoaderReader.thrownOnTheRecord(
                new java.io.UncheckedIOException(
                    new java.io.IOException("No space left on device"))))
        .isFalse();
    assertThat(
            AutoLoaderReader.thrownOnTheRecord(
                new RuntimeException(new org.apache.flink.runtime.execution.CancelTaskException())))
        .isFalse();
    try {
      castToInt(
          org.apache.flink.table.data.GenericRowData.of(
              org.apache.flink.table.data.binary.BinaryStringData.fromString("abc")));
    } catch (RuntimeException cast) {
      assertThat(AutoLoaderReader.thrownOnTheRecord(cast))
          .as("thrown by Flink's Table runtime")
          .isTrue();
      assertThat(
              AutoLoaderReader.thrownOnTheRecord(
                  new RuntimeException(new java.io.IOException("x", cast))))
          .as("an I/O failure, whatever it wraps")
          .isFalse();
    }
  }

  /** Reads the split into an output that casts each record's first field to INT, until one fails. */
  private SourceRowException failureReading(
      AutoLoader spec, org.apache.flink.connector.file.src.FileSourceSplit split) throws Exception {
    var type =
        AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());
    Context context = new Context();
    Output output =
        new Output() {
          @Override
          public void collect(RowData record) {
            castToInt(record);
            super.collect(record);
          }
        };
    try (AutoLoaderReader reader = new AutoLoaderReader(context, Files.format(spec, type))) {
      reader.start();
      reader.addSplits(List.of(split));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        try {
          if (reader.pollNext(output) == InputStatus.NOTHING_AVAILABLE) {
            reader.isAvailable().get(10, TimeUnit.SECONDS);
          }
        } catch (SourceRowException e) {
          return e;
        }
      }
    }
    throw new AssertionError("no record failed");
  }

  private static final class Context implements SourceReaderContext {
    int splitRequests;

    @Override
    public SourceReaderMetricGroup metricGroup() {
      return UnregisteredMetricsGroup.createSourceReaderMetricGroup();
    }

    @Override
    public Configuration getConfiguration() {
      return new Configuration();
    }

    @Override
    public String getLocalHostName() {
      return "localhost";
    }

    @Override
    public int getIndexOfSubtask() {
      return 0;
    }

    @Override
    public void sendSplitRequest() {
      splitRequests++;
    }

    @Override
    public void sendSourceEventToCoordinator(SourceEvent sourceEvent) {}

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
      return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
    }
  }

  private static class Output implements ReaderOutput<RowData> {
    final List<RowData> rows = new ArrayList<>();
    final List<Long> watermarks = new ArrayList<>();
    int idleMarks;
    int activeMarks;

    @Override
    public void collect(RowData record) {
      rows.add(record);
    }

    @Override
    public void collect(RowData record, long timestamp) {
      rows.add(record);
    }

    @Override
    public void emitWatermark(Watermark watermark) {
      watermarks.add(watermark.getTimestamp());
    }

    @Override
    public void markIdle() {
      idleMarks++;
    }

    @Override
    public void markActive() {
      activeMarks++;
    }

    @Override
    public SourceOutput<RowData> createOutputForSplit(String splitId) {
      return this;
    }

    @Override
    public void releaseOutputForSplit(String splitId) {}
  }
}
