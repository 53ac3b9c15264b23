package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event-time windows in triggered updates: a window closes in the update whose data moves the
 * watermark past its end, and a window still open when an update stops keeps its rows in the
 * savepoint and closes in a later update.
 */
class EventTimeWindowITCase {

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /** bronze (Auto Loader, watermark ts - 10 minutes) -> hourly (tumbling one-hour windows). */
  public static final class Hourly implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("order_id STRING, ts TIMESTAMP(3)")
                  .withWatermark("ts", "10 minutes"));
      p.streamingTable("hourly")
          .sql(
              "SELECT window_start, COUNT(*) AS orders FROM TABLE(TUMBLE(TABLE"
                  + " STREAM(bronze), DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY window_start, window_end");
    }
  }

  @Test
  void windowsCloseWhenTheWatermarkPassesThemAndOpenWindowsCarryOverToTheNextUpdate()
      throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        """
        {"order_id":"o1","ts":"2024-03-01T00:10:00Z"}
        {"order_id":"o2","ts":"2024-03-01T00:20:00Z"}
        {"order_id":"o3","ts":"2024-03-01T01:30:00Z"}
        {"order_id":"o4","ts":"2024-03-01T03:00:00Z"}
        """);

    UpdateResult first = update(input);

    assertThat(first.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows("bronze")).hasSize(4);
    assertThat(rows("hourly"))
        .containsExactlyInAnyOrder(Row.of(at("00:00"), 2L), Row.of(at("01:00"), 1L));

    Files.writeString(
        input.resolve("part-2.json"),
        """
        {"order_id":"o5","ts":"2024-03-01T05:00:00Z"}
        """);

    UpdateResult second = update(input);

    assertThat(second.state()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows("hourly"))
        .containsExactlyInAnyOrder(
            Row.of(at("00:00"), 2L), Row.of(at("01:00"), 1L), Row.of(at("03:00"), 1L));
  }

  /** A window start as the Delta reader returns it (the table stores TIMESTAMP as UTC instants). */
  private static Instant at(String time) {
    return Instant.parse("2024-03-01T" + time + ":00Z");
  }

  private UpdateResult update(Path input) {
    return Tributary.pipeline(new Hourly())
        .name("hourly")
        .storage(dir.resolve("storage").toString())
        .configuration(Map.of("source", input.toString()))
        .parallelism(2)
        .triggerInterval(Duration.ofSeconds(1))
        .cluster(CLUSTER.cluster())
        .run();
  }

  private List<Row> rows(String table) {
    return DeltaTableReader.readAll(dir.resolve("storage/tables/" + table).toString());
  }
}
