package io.tributary.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineConfigLoaderTest {

  @TempDir Path dir;

  @Test
  void readsEveryKeyAndResolvesPathsAgainstTheFilesFolder() throws Exception {
    Path file =
        write(
            """
        name: medallion
        storage: out/medallion
        libraries:
          - io.tributary.examples.MedallionPipeline
        configuration:
          source.orders: ${pipelineDir}/data/orders
          pipelines.trigger.interval: 1 hour
        continuous: false
        development: false
        trigger:
          interval: 5 min
        flink:
          parallelism: 3
          options:
            state.backend.type: rocksdb
        """);

    PipelineConfig config = PipelineConfigLoader.load(file);

    assertThat(config.name()).isEqualTo("medallion");
    assertThat(config.storage()).isEqualTo(dir.resolve("out/medallion").toString());
    assertThat(config.libraries()).containsExactly("io.tributary.examples.MedallionPipeline");
    assertThat(config.configuration())
        .containsEntry("source.orders", dir + "/data/orders")
        .containsEntry("pipelines.trigger.interval", "1 hour");
    assertThat(config.development()).isFalse();
    assertThat(config.triggerInterval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.parallelism()).isEqualTo(3);
    assertThat(config.flinkOptions()).isEqualTo(Map.of("state.backend.type", "rocksdb"));
  }

  @Test
  void readsTheClusterToRunOnAndDefaultsToEmbedded() throws Exception {
    PipelineConfig remote =
        PipelineConfigLoader.load(
            write("name: p\nstorage: /s\nlibraries: [a.B]\nflink:\n  cluster: 10.0.0.5:8081\n"));
    PipelineConfig embedded =
        PipelineConfigLoader.load(write("name: p\nstorage: /s\nlibraries: [a.B]\n"));

    assertThat(remote.cluster()).isEqualTo("10.0.0.5:8081");
    assertThat(embedded.cluster()).isEmpty();
    assertThat(embedded.withCluster("h:1").cluster()).isEqualTo("h:1");
  }

  @Test
  void rejectsAClusterWithoutAPort() throws Exception {
    Path file = write("name: p\nstorage: /s\nlibraries: [a.B]\nflink:\n  cluster: jobmanager\n");

    assertThatThrownBy(() -> PipelineConfigLoader.load(file))
        .isInstanceOf(PipelineConfigException.class)
        .hasMessage(
            file
                + ": flink.cluster: Flink cluster 'jobmanager': expected HOST:PORT of its REST endpoint,"
                + " such as 127.0.0.1:8081 (the JobManager's rest.port).");
  }

  @Test
  void keepsAUriStorageAsItIs() throws Exception {
    Path file = write("name: p\nstorage: hdfs://namenode:8020/pipelines/p\nlibraries: [a.B]\n");

    assertThat(PipelineConfigLoader.load(file).storage())
        .isEqualTo("hdfs://namenode:8020/pipelines/p");
  }

  @Test
  void defaultsToTriggeredDevelopmentMode() throws Exception {
    PipelineConfig config =
        PipelineConfigLoader.load(write("name: p\nstorage: /s\nlibraries: [a.B]\n"));

    assertThat(config.continuous()).isFalse();
    assertThat(config.development()).isTrue();
    assertThat(config.triggerInterval()).isEqualTo(PipelineConfig.DEFAULT_TRIGGER_INTERVAL);
    assertThat(config.libraries()).isEqualTo(List.of("a.B"));
  }

  @Test
  void rejectsAnUnknownKeyByName() throws Exception {
    Path file = write("name: p\nstorage: /s\nlibraries: [a.B]\nstorgae: /typo\n");

    assertThatThrownBy(() -> PipelineConfigLoader.load(file))
        .isInstanceOf(PipelineConfigException.class)
        .hasMessage(
            file
                + ": unknown key 'storgae' at line 4. Known keys here: [configuration, continuous,"
                + " development, flink, hadoop, libraries, name, storage, trigger].");
  }

  @Test
  void rejectsAnUnknownNestedKeyByItsPath() throws Exception {
    Path file = write("name: p\nstorage: /s\nlibraries: [a.B]\nflink:\n  paralelism: 2\n");

    assertThatThrownBy(() -> PipelineConfigLoader.load(file))
        .hasMessage(
            file
                + ": unknown key 'flink.paralelism' at line 5. Known keys here: [cluster, options, parallelism].");
  }

  @Test
  void namesEveryMissingKey() throws Exception {
    Path file = write("continuous: false\n");

    assertThatThrownBy(() -> PipelineConfigLoader.load(file))
        .hasMessage(
            file
                + ": missing name, storage, libraries. A pipeline file names the pipeline, its storage"
                + " root and its PipelineDefinition classes.");
  }

  @Test
  void rejectsAnIntervalThatIsNotADuration() throws Exception {
    Path file = write("name: p\nstorage: /s\nlibraries: [a.B]\ntrigger:\n  interval: often\n");

    assertThatThrownBy(() -> PipelineConfigLoader.load(file))
        .hasMessage(
            file
                + ": trigger.interval 'often' is not a duration. Write it as '10 s', '5 min' or '1 h'.");
  }

  @Test
  void namesAMissingFile() {
    Path file = dir.resolve("nope.yml");

    assertThatThrownBy(() -> PipelineConfigLoader.load(file))
        .hasMessage(file + ": no such pipeline file. Pass the path of a pipeline.yml.");
  }

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("pipeline.yml");
    Files.writeString(file, yaml);
    return file;
  }
}
