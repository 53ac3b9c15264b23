package io.tributary.runtime;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.table.functions.ScalarFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two jobs of one triggered update that read the same source run side by side and each stops on its own
 * caught-up signal only. Both streaming tables read one Auto Loader view, so their jobs hold sources of
 * the same uid; one job is fast, the other slow (a function that sleeps per row), so the fast one
 * catches up while the slow one still reads. Were the signals keyed by the update (or the source uid)
 * alone, the fast job's signal would stop the slow job with a savepoint before it had read its input,
 * and the update would still report COMPLETED with rows missing (found by the whole-process benchmark:
 * SCD2 held 159,175 of 191,276 rows beside SCD1).
 */
class SideBySideJobsITCase {

  private static final int FILES = 6;
  private static final int ROWS_PER_FILE = 150;

  @TempDir Path dir;

  /** Passes a value through after sleeping a millisecond: about a second per 900 rows. */
  public static final class Slowly extends ScalarFunction {
    public Long eval(Long value) throws InterruptedException {
      Thread.sleep(1);
      return value;
    }
  }

  /** One view over JSON files, read by a fast and a slow streaming table: two jobs, one source uid. */
  public static final class TwoReaders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.view("raw")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("id BIGINT")
                  .option("rescuedDataColumn", "false"));
      p.streamingTable("fast").query(ctx -> ctx.readStream("raw"));
      p.streamingTable("slow")
          .query(ctx -> ctx.readStream("raw").select(call(Slowly.class, $("id")).as("id")));
    }
  }

  @Test
  void aJobThatCatchesUpFirstDoesNotStopAnotherReadingTheSameSource() throws Exception {
    Path input = Files.createDirectories(dir.resolve("raw"));
    for (int file = 0; file < FILES; file++) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < ROWS_PER_FILE; i++) {
        lines.append("{\"id\":").append(file * ROWS_PER_FILE + i).append("}\n");
      }
      Files.writeString(input.resolve("part-" + file + ".json"), lines);
    }
    // the update's own cluster: slots for both jobs at once, as `tributary start` has
    List<String> timeline = new CopyOnWriteArrayList<>();
    Tributary.Builder builder =
        Tributary.pipeline(new TwoReaders())
            .name("side-by-side")
            .storage(dir.resolve("storage").toString())
            .configuration(Map.of("source", input.toString()))
            .parallelism(1)
            .listener((dataset, state, detail) -> timeline.add(dataset + " " + state));

    UpdateResult result = builder.run();

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/fast").toString()))
        .as("the fast job's table")
        .hasSize(FILES * ROWS_PER_FILE);
    assertThat(DeltaTableReader.readAll(dir.resolve("storage/tables/slow").toString()))
        .as("the slow job's table: every row, though the fast job caught up first")
        .hasSize(FILES * ROWS_PER_FILE);
    assertThat(result.flow("fast").orElseThrow().job())
        .as("two jobs")
        .isNotEqualTo(result.flow("slow").orElseThrow().job());
    assertThat(timeline)
        .as("side by side: the slow job ran while the fast one ended first")
        .containsSubsequence("slow RUNNING", "fast COMPLETED", "slow COMPLETED");
  }
}
