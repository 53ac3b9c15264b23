package io.tributary.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pipeline file's {@code hadoop:} block and {@code fs.} keys, and storage roots given as URIs or paths. */
class PipelineStorageSettingsTest {

  @TempDir Path dir;

  @Test
  void hadoopBlockAndFsConfigurationKeysAreTheHadoopSettingsWithConfOverridingTheBlock()
      throws Exception {
    Path file =
        write(
            """
        name: p
        storage: s3://bucket/pipelines/p
        libraries: [a.B]
        configuration:
          fs.s3a.endpoint: http://127.0.0.1:1
          source.orders: /data
        hadoop:
          fs.s3a.endpoint: http://127.0.0.1:2
          fs.s3a.path.style.access: true
          dfs.replication: 1
        """);

    PipelineConfig config = PipelineConfigLoader.load(file);

    assertThat(config.storage()).isEqualTo("s3://bucket/pipelines/p");
    assertThat(config.hadoopSettings())
        .isEqualTo(
            Map.of(
                "fs.s3a.endpoint",
                "http://127.0.0.1:1",
                "fs.s3a.path.style.access",
                "true",
                "dfs.replication",
                "1"));
    assertThat(
            config
                .withConfiguration(Map.of("fs.s3a.endpoint", "http://127.0.0.1:3"))
                .hadoopSettings())
        .containsEntry("fs.s3a.endpoint", "http://127.0.0.1:3");
    assertThat(config.withStorage("hdfs://nn:8020/p").hadoopSettings())
        .isEqualTo(config.hadoopSettings());
  }

  @Test
  void aHadoopSettingWithoutValueIsRejectedByName() throws Exception {
    Path file = write("name: p\nstorage: /s\nlibraries: [a.B]\nhadoop:\n  fs.s3a.endpoint:\n");

    assertThatThrownBy(() -> PipelineConfigLoader.load(file))
        .isInstanceOf(PipelineConfigException.class)
        .hasMessage(
            file
                + ": hadoop.fs.s3a.endpoint has no value. Give each Hadoop setting a value, or remove it.");
  }

  @Test
  void aStorageUriIsKeptAndALocalPathIsMadeAbsolute() {
    assertThat(PipelineConfig.resolveStorage("hdfs://nn:8020/pipelines/x"))
        .isEqualTo("hdfs://nn:8020/pipelines/x");
    assertThat(PipelineConfig.resolveStorage("s3a://bucket/x")).isEqualTo("s3a://bucket/x");
    assertThat(PipelineConfig.resolveStorage("file:/tmp/x")).isEqualTo("file:/tmp/x");
    assertThat(PipelineConfig.resolveStorage("out/x"))
        .isEqualTo(Path.of("").toAbsolutePath().resolve("out/x").toString());
    assertThat(PipelineConfig.resolveStorage("/data/../data/x")).isEqualTo("/data/x");
  }

  @Test
  void aRelativeFileStorageIsQualifiedAsAFileUriAgainstTheWorkingDirectory() {
    PipelineStorage storage = PipelineStorage.at("out/x", HadoopSettings.none());

    assertThat(storage.root()).isEqualTo("file:" + Path.of("").toAbsolutePath().resolve("out/x"));
    assertThat(storage.tablePath("t")).isEqualTo(storage.root() + "/tables/t");
  }

  @Test
  void aHdfsStorageStaysOnHdfs() {
    // qualifying a path needs no connection: the NameNode is only contacted by file operations
    PipelineStorage storage =
        PipelineStorage.at("hdfs://127.0.0.1:1/pipelines/x", HadoopSettings.none());

    assertThat(storage.root()).isEqualTo("hdfs://127.0.0.1:1/pipelines/x");
    assertThat(storage.savepointDir("job"))
        .startsWith("hdfs://127.0.0.1:1/pipelines/x/_tributary/state/job");
  }

  private Path write(String text) throws Exception {
    Path file = dir.resolve("pipeline.yml");
    Files.writeString(file, text);
    return file;
  }
}
