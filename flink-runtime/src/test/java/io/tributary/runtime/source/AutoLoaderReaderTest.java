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
    try (AutoLoaderReader reader = new AutoLoaderReader(context, Files.format(spec,
        AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration())))) {
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
    AutoLoader spec = AutoLoader.json(dir.toString()).schema("a STRING, ts TIMESTAMP(3)")
        .withWatermark("ts", "10 minutes");
    Path file = Files.write(dir, "a.json", """
        {"a":"x","ts":"2024-03-01T03:00:00Z"}
        {"a":"y","ts":"2024-03-01T01:30:00Z"}
        {"a":"z","ts":null}
        """);
    var type = AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());
    Context context = new Context();
    Output output = new Output();
    try (AutoLoaderReader reader = new AutoLoaderReader(context, Files.format(spec, type),
        EventTimeBound.of(spec, type))) {
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
      assertThat(output.watermarks).containsExactly(
          java.time.Instant.parse("2024-03-01T02:50:00Z").toEpochMilli() - 1);
    }
  }

  @Test
  void aReaderWithoutADeclaredWatermarkEmitsNone() throws Exception {
    AutoLoader spec = AutoLoader.json(dir.toString()).schema("a STRING, ts TIMESTAMP(3)");
    Path file = Files.write(dir, "a.json", "{\"a\":\"x\",\"ts\":\"2024-03-01T03:00:00Z\"}\n");
    var type = AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());
    Context context = new Context();
    Output output = new Output();
    try (AutoLoaderReader reader = new AutoLoaderReader(context, Files.format(spec, type),
        EventTimeBound.of(spec, type))) {
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

  private static final class Output implements ReaderOutput<RowData> {
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
