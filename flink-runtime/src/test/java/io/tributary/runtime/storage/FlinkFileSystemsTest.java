package io.tributary.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class FlinkFileSystemsTest {

  @Test
  void theEmbeddedClusterGetsTheFlinkOptionsAndTheHadoopSettingsForFlinksHadoopFallback() {
    Configuration conf =
        FlinkFileSystems.embeddedConfiguration(
            Map.of(
                "fs.allowed-fallback-filesystems",
                "s3;s3a",
                "flink.hadoop.fs.s3a.endpoint",
                "http://given:1"),
            HadoopSettings.of(
                Map.of(
                    "fs.s3a.endpoint",
                    "http://127.0.0.1:9090",
                    "fs.s3a.path.style.access",
                    "true")));

    assertThat(conf.toMap())
        .containsEntry("fs.allowed-fallback-filesystems", "s3;s3a")
        .containsEntry("flink.hadoop.fs.s3a.endpoint", "http://given:1")
        .containsEntry("flink.hadoop.fs.s3a.path.style.access", "true")
        .containsEntry("flink.hadoop.fs.s3.impl", HadoopSettings.S3A_FILE_SYSTEM)
        .containsEntry("classloader.check-leaked-classloader", "false");
  }

  @Test
  void anExplicitLeakedClassLoaderCheckIsKept() {
    Configuration conf =
        FlinkFileSystems.embeddedConfiguration(
            Map.of("classloader.check-leaked-classloader", "true"), HadoopSettings.none());

    assertThat(conf.toMap())
        .containsEntry("classloader.check-leaked-classloader", "true")
        .containsEntry(
            "flink.hadoop.fs.AbstractFileSystem.s3.impl", "org.apache.hadoop.fs.s3a.S3A");
  }
}
