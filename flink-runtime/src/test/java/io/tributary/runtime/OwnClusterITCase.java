package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Updates run as the README shows them, each starting and closing its own embedded cluster: one
 * update right after another in the same process runs (the first has released the pipeline's lock
 * by the time {@code run()} returns).
 */
class OwnClusterITCase {

  @TempDir Path dir;

  /** One streaming table over JSON files. */
  public static final class Events implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("events")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("id BIGINT")
                  .option("rescuedDataColumn", "false"));
    }
  }

  @Test
  void anUpdateRightAfterAnotherRunsWithItsOwnCluster() throws Exception {
    Path input = Files.createDirectories(dir.resolve("events"));
    Files.writeString(input.resolve("part-1.json"), "{\"id\":1}\n");
    Tributary.Builder builder =
        Tributary.pipeline(new Events())
            .name("own")
            .storage(dir.resolve("storage").toString())
            .configuration(Map.of("source", input.toString()))
            .parallelism(1);

    assertThat(builder.run().state()).isEqualTo(UpdateState.COMPLETED);
    Files.writeString(input.resolve("part-2.json"), "{\"id\":2}\n");
    UpdateResult second = builder.run();

    assertThat(second.state()).as("%s", second.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/events").toString()))
        .containsExactlyInAnyOrder(Row.of(1L), Row.of(2L));
  }
}
