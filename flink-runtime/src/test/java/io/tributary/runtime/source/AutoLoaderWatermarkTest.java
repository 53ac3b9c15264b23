package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

class AutoLoaderWatermarkTest {

  private static final AutoLoader SPEC =
      AutoLoader.json("/in").schema("id STRING, ts TIMESTAMP(3)");
  private static final RowType TYPE =
      AutoLoaderSchemas.resolve(SPEC, "/unused", new org.apache.hadoop.conf.Configuration());

  @Test
  void theDslRecordsTheWatermarkAndDescribesIt() {
    AutoLoader spec = SPEC.withWatermark("ts", "10 minutes");

    assertThat(spec.watermark())
        .contains(new AutoLoader.Watermark("ts", Duration.ofMinutes(10), "10 minutes"));
    assertThat(spec.describe()).endsWith(" watermark ts - 10 minutes");
    assertThat(spec.option("header", "true").watermark()).isEqualTo(spec.watermark());
    assertThatThrownBy(() -> SPEC.withWatermark("ts", "ten minutes"))
        .hasMessage(
            "AutoLoader on '/in': withWatermark delay 'ten minutes' cannot be read. Write a whole number and "
                + "a unit: ms, seconds, minutes, hours or days, e.g. \"10 minutes\".");
  }

  @Test
  void theStrategyAssignsTheColumnsEventTimeAndTrailsByTheDelay() throws Exception {
    var strategy = AutoLoaderSource.watermarkStrategy(SPEC.withWatermark("ts", "10 minutes"), TYPE);
    var assigner =
        strategy.createTimestampAssigner(
            (TimestampAssignerSupplier.Context) () -> new UnregisteredMetricsGroup());
    var generator = strategy.createWatermarkGenerator(new GeneratorContext());
    GenericRowData row =
        GenericRowData.of(
            StringData.fromString("e"),
            TimestampData.fromLocalDateTime(LocalDateTime.parse("2024-05-01T10:00:00")),
            null);
    GenericRowData noTime = GenericRowData.of(StringData.fromString("n"), null, null);

    long ts = assigner.extractTimestamp(row, 0);
    assertThat(ts).isEqualTo(1_714_557_600_000L);
    assertThat(assigner.extractTimestamp(noTime, 0)).isEqualTo(Long.MIN_VALUE);
    generator.onEvent(row, ts, new Collected());
    Collected out = new Collected();
    generator.onPeriodicEmit(out);
    assertThat(out.watermarks).containsExactly(ts - Duration.ofMinutes(10).toMillis() - 1);
  }

  @Test
  void noWatermarkMeansNoWatermarksAndABadColumnIsReported() {
    var none =
        AutoLoaderSource.watermarkStrategy(SPEC, TYPE)
            .createWatermarkGenerator(new GeneratorContext());
    assertThat(none.getClass().getSimpleName()).isEqualTo("NoWatermarksGenerator");
    assertThatThrownBy(
            () -> AutoLoaderSource.watermarkStrategy(SPEC.withWatermark("id", "1 s"), TYPE))
        .hasMessage(
            "Auto Loader source on '/in': the watermark column 'id' has type STRING, not TIMESTAMP or "
                + "TIMESTAMP_LTZ. Columns: [id, ts]. Pass a TIMESTAMP or TIMESTAMP_LTZ column to "
                + "withWatermark(), declaring its type in the schema or in schemaHints if it is inferred as STRING.");
    assertThatThrownBy(
            () -> AutoLoaderSource.watermarkStrategy(SPEC.withWatermark("when", "1 s"), TYPE))
        .hasMessageContaining("the watermark column 'when' is not a column of the source");
  }

  private static final class GeneratorContext implements WatermarkGeneratorSupplier.Context {
    @Override
    public org.apache.flink.metrics.MetricGroup getMetricGroup() {
      return new UnregisteredMetricsGroup();
    }

    @Override
    public org.apache.flink.util.clock.RelativeClock getInputActivityClock() {
      return org.apache.flink.util.clock.SystemClock.getInstance();
    }
  }

  private static final class Collected implements WatermarkOutput {
    final List<Long> watermarks = new ArrayList<>();

    @Override
    public void emitWatermark(Watermark watermark) {
      watermarks.add(watermark.getTimestamp());
    }

    @Override
    public void markIdle() {}

    @Override
    public void markActive() {}
  }
}
