package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tributary.dsl.AutoLoader;
import io.tributary.runtime.config.PipelineSettings;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A triggered update whose Auto Loader reader fails and is restarted by Flink within one epoch: the
 * restarted reader must be handed back the file the failed one had. With {@code maxFilesPerTrigger=1}
 * that file used to count against the epoch's budget twice, so the restarted reader waited for a
 * checkpoint to complete before it could have it again; with no checkpoint completing during the update
 * (here a trigger interval of ten minutes) the job sat idle after its first restart, its source waiting
 * for a split and never caught up, and the update waited forever. Now the file goes back, the reader
 * fails on it again at every restart, and the update fails naming the file and line.
 */
class RestartedSourceITCase {

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @Test
  void aReaderRestartedWithinAnEpochGetsItsFileBackEvenWithAOneFileBudget() throws Exception {
    Path input = CLUSTER.storage("input");
    Files.createDirectories(input);
    Files.writeString(
        input.resolve("a.json"),
        "{\"id\":\"a\",\"n\":1}\n{\"id\":\"b\",\n",
        StandardCharsets.UTF_8);
    Tributary.Builder update =
        Tributary.pipeline(
                p ->
                    p.streamingTable("events")
                        .from(
                            AutoLoader.json(input.toString())
                                .schema("id STRING, n INT")
                                .option("mode", "FAILFAST")
                                .option("maxFilesPerTrigger", "1")))
            .name("restarted")
            .storage(CLUSTER.storage("storage").toString())
            // no checkpoint completes during the update, and the failover watch would wait ten
            // minutes
            .triggerInterval(Duration.ofMinutes(10))
            .configuration(Map.of(PipelineSettings.CAUGHT_UP_TIMEOUT, "10 min"))
            .parallelism(1)
            .development(false)
            .retries(0, Duration.ofMillis(10))
            .cluster(CLUSTER.cluster());

    UpdateResult result =
        assertTimeoutPreemptively(
            Duration.ofSeconds(150),
            update::run,
            "the update waited on a restarted reader that never got its file back");

    assertThat(result.state()).isEqualTo(UpdateState.FAILED);
    String file = input.resolve("a.json").toUri().toString().replace("file:///", "file:/");
    assertThat(result.flow("events").flatMap(FlowResult::error))
        .get()
        .asString()
        .contains("malformed record in file " + file + " at line 2:");
  }
}
