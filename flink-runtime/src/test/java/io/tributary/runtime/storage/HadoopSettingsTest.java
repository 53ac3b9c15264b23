package io.tributary.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.util.InstantiationUtil;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class HadoopSettingsTest {

  @Test
  void keepsOnlyWhatAConfigurationSetsBeyondTheDefaults() {
    Configuration conf = new Configuration();
    conf.set("fs.s3a.endpoint", "http://127.0.0.1:9090");
    conf.set(
        "io.file.buffer.size",
        conf.get("io.file.buffer.size")); // a default set again is no setting

    assertThat(HadoopSettings.from(conf).entries())
        .isEqualTo(Map.of("fs.s3a.endpoint", "http://127.0.0.1:9090"));
    assertThat(HadoopSettings.from(new Configuration())).isEqualTo(HadoopSettings.none());
  }

  @Test
  void travelsWithTheJobAndBuildsItsConfigurationWhereItIsRead() throws Exception {
    HadoopSettings settings =
        HadoopSettings.of(Map.of("fs.s3a.endpoint", "http://127.0.0.1:9090"))
            .with(Map.of("fs.s3a.path.style.access", "true"));

    HadoopSettings copy = InstantiationUtil.clone(settings);

    assertThat(copy).isEqualTo(settings);
    assertThat(copy.toConfiguration().get("fs.s3a.endpoint")).isEqualTo("http://127.0.0.1:9090");
    assertThat(copy.toConfiguration().get("fs.s3a.path.style.access")).isEqualTo("true");
    assertThat(copy.toString()).as("values may be credentials").doesNotContain("127.0.0.1");
  }

  @Test
  void s3IsS3aUnlessTheSettingsSayOtherwise() {
    assertThat(HadoopSettings.none().toConfiguration().get("fs.s3.impl"))
        .isEqualTo(HadoopSettings.S3A_FILE_SYSTEM);
    assertThat(HadoopSettings.of(Map.of("fs.s3.impl", "my.S3")).toConfiguration().get("fs.s3.impl"))
        .isEqualTo("my.S3");
  }

  @Test
  void aSchemeRegisteredOnlyInTheSettingsIsOpenedThroughThemAndNotWithoutThem() throws Exception {
    Path path = new Path(CountingFileSystem.uri(java.nio.file.Path.of("/tmp")));

    assertThat(
            path.getFileSystem(
                HadoopSettings.of(CountingFileSystem.settings("test")).toConfiguration()))
        .isInstanceOf(CountingFileSystem.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> path.getFileSystem(new Configuration()))
        .hasMessageContaining("No FileSystem for scheme \"counting\"");
  }
}
