package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.engine.EmbeddedCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CDC benchmark's targets have the Spark baseline's semantics: on a feed with out-of-order
 * changes, a NULL overwriting a value, deletes, a re-insert and a change without a key, both SCD
 * tables equal the recomputation from the raw files, whether the feed is one micro-batch or one file
 * per micro-batch; the whole feed is one Delta commit.
 */
class CdcBenchmarkPipelineITCase {

  private static EmbeddedCluster cluster;

  @TempDir static Path feed;
  @TempDir Path work;

  @BeforeAll
  static void start() throws Exception {
    CdcTablesTest.writeFeed(feed);
    cluster = EmbeddedCluster.start(2, new org.apache.flink.configuration.Configuration());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void bothTargetsEqualTheRecomputationAsOneMicroBatchAndAsOneFilePerMicroBatch() {
    List<List<List<String>>> expected = CdcTables.recompute(feed);
    for (int type = 1; type <= 2; type++) {
      CdcBench.Run whole =
          CdcBench.update(
              cluster, feed, work.resolve("whole-" + type), type, false, Duration.ofHours(1), 2);
      CdcBench.Run batched =
          CdcBench.update(
              cluster,
              feed,
              work.resolve("batched-" + type),
              type,
              true,
              Duration.ofMillis(200),
              2);

      assertThat(whole.rows())
          .as("SCD%d, whole feed", type)
          .containsExactlyInAnyOrderElementsOf(expected.get(type - 1));
      assertThat(batched.rows())
          .as("SCD%d, one file per micro-batch", type)
          .containsExactlyInAnyOrderElementsOf(expected.get(type - 1));
      assertThat(whole.dataCommits()).hasSize(1);
      assertThat(batched.dataCommits()).isNotEmpty();
    }
  }
}
