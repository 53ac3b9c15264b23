package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a failing {@code expectOrFail} leaves, pinned: a micro-batch is the epoch between two completed
 * checkpoints, and each table commits each epoch whole or not at all. Nothing of the violating row's
 * epoch, nor anything read after it, is in any table; every commit before it holds whole epochs, so each
 * table version is a prefix of the order the rows were read in (checkpoints fall between any two
 * records, also inside a file, so where that prefix ends is not fixed); those commits stay (Delta has no
 * transaction across tables); the update is FAILED; once the input is fixed, the next update continues
 * exactly once.
 */
class ExpectOrFailEpochsITCase {

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @TempDir Path dir;

  /** raw (Auto Loader, one file per epoch) and validated (expectOrFail) in one streaming job. */
  public static final class Validated implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("raw")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("id STRING, file STRING")
                  .option("maxFilesPerTrigger", "1"));
      p.streamingTable("validated").from("raw").expectOrFail("valid_id", "id IS NOT NULL");
    }
  }

  @Test
  void theFailingEpochCommitsNothingEarlierEpochsAreWholeAndTheFixedInputContinuesExactlyOnce()
      throws Exception {
    Path input = Files.createDirectories(dir.resolve("input"));
    Instant t0 = Instant.now().minusSeconds(60);
    file(input, "part-1", t0, "\"a1\"", "\"a2\"");
    file(input, "part-2", t0.plusSeconds(10), "\"b1\"", "\"b2\"", "\"b3\"");
    Path bad = file(input, "part-3", t0.plusSeconds(20), "\"c1\"", "null", "\"c3\"");
    Path storage = dir.resolve("storage");

    UpdateResult failed = update(storage, input);

    assertThat(failed.state()).isEqualTo(UpdateState.FAILED);
    assertThat(failed.flow("validated").orElseThrow().state()).isEqualTo(FlowState.FAILED);
    assertThat(failed.error().orElseThrow())
        .contains("expectation 'valid_id' (id IS NOT NULL) failed on row");
    // the order the rows are read in; c2 violates, so neither it nor c3 after it may be anywhere
    List<String> readOrder = List.of("a1", "a2", "b1", "b2", "b3", "c1");
    for (String table : List.of("raw", "validated")) {
      Path path = storage.resolve("tables").resolve(table);
      long latest = DeltaTableReader.version(path.toString());
      for (long version = 0; version <= latest; version++) {
        // every version (each commit) holds a prefix of the read order: a commit is whole epochs,
        // and an epoch is a contiguous run of records between two completed checkpoints
        List<String> ids = ids(DeltaTableReader.readAll(path.toString(), version));
        assertThat(ids)
            .as("%s at version %s", table, version)
            .hasSizeLessThanOrEqualTo(readOrder.size());
        assertThat(ids)
            .as("%s at version %s", table, version)
            .containsExactlyInAnyOrderElementsOf(readOrder.subList(0, ids.size()));
      }
    }
    // the input fixed where it was wrong, as a user would, and the next update
    file(input, "part-3", t0.plusSeconds(20), "\"c1\"", "\"c2\"", "\"c3\"");
    assertThat(bad).exists();
    UpdateResult next = update(storage, input);

    assertThat(next.state()).as(next.error().orElse("")).isEqualTo(UpdateState.COMPLETED);
    for (String table : List.of("raw", "validated")) {
      assertThat(files(storage, table))
          .as("%s after the fixed update", table)
          .isEqualTo(Map.of("part-1", 2, "part-2", 3, "part-3", 3));
      assertThat(ExactlyOnceChecks.rows(storage, table)).hasSize(8).doesNotHaveDuplicates();
    }
    ExactlyOnceChecks.assertOneExactEventPerDataCommit(storage, List.of("raw", "validated"));
  }

  /** Two-second epochs, so a failing epoch is seldom a tiny one; nothing asserted depends on where they fall. */
  private UpdateResult update(Path storage, Path input) {
    return Tributary.pipeline(new Validated())
        .name("shop")
        .storage(storage.toString())
        .configuration(Map.of("source", input.toString()))
        .parallelism(1)
        .triggerInterval(Duration.ofSeconds(2))
        .development(false)
        .retries(2, Duration.ofMillis(10))
        .flinkOption("restart-strategy.type", "none")
        .cluster(CLUSTER.cluster())
        .run();
  }

  private static List<String> ids(List<org.apache.flink.types.Row> rows) {
    return rows.stream().map(row -> (String) row.getField(0)).toList();
  }

  /** Each input file's rows in {@code table}, by file. */
  private static Map<String, Integer> files(Path storage, String table) {
    Map<String, Integer> byFile = new TreeMap<>();
    for (String row : ExactlyOnceChecks.rows(storage, table)) {
      String file = row.replaceAll(".*file=([^,}]*).*", "$1");
      byFile.merge(file, 1, Integer::sum);
    }
    return byFile;
  }

  private static Path file(Path input, String name, Instant modified, String... ids)
      throws Exception {
    List<String> lines = new ArrayList<>();
    for (String id : ids) {
      lines.add("{\"id\":" + id + ",\"file\":\"" + name + "\"}");
    }
    Path path = input.resolve(name + ".json");
    Files.writeString(path, String.join("\n", lines) + "\n");
    Files.setLastModifiedTime(path, FileTime.from(modified));
    return path;
  }
}
