package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cluster.FlinkLib;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * What the shaded jar holds: Tributary and what it needs that a Flink distribution does not have, and
 * nothing a Flink cluster brings itself.
 */
class DeployableJarTest {

  /** The jar {@code package} made (set by the pom; the test runs in {@code integration-test}). */
  static Path jar() {
    String path = System.getProperty("tributary.flinkJar");
    assertThat(path).as("system property tributary.flinkJar (set by dist/pom.xml)").isNotNull();
    return Path.of(path);
  }

  @Test
  void holdsTributaryDeltaParquetAndHadoopAndNoClassOfTheCluster() throws IOException {
    Set<String> entries = entries(jar());
    assertThat(entries)
        .contains(
            "io/tributary/runtime/cli/TributaryCli.class",
            "io/tributary/runtime/source/AutoLoaderSource.class",
            "io/tributary/dsl/Pipeline.class",
            "io/delta/kernel/Table.class",
            "io/delta/kernel/defaults/engine/DefaultEngine.class",
            "org/apache/parquet/hadoop/ParquetFileReader.class",
            "org/apache/hadoop/fs/FileSystem.class",
            "picocli/CommandLine.class",
            "com/fasterxml/jackson/databind/ObjectMapper.class");

    // Flink's classes are the cluster's. flink-parquet is the exception: not in a distribution's
    // lib/,
    // and Auto Loader's Parquet reading (AutoLoaderBulkFormat) uses its vectorized reader.
    assertThat(
            entries.stream()
                .filter(e -> e.startsWith("org/apache/flink/") && e.endsWith(".class"))
                .filter(e -> !e.startsWith("org/apache/flink/formats/parquet/"))
                .toList())
        .isEmpty();
    assertThat(entries).anyMatch(e -> e.startsWith("org/apache/flink/formats/parquet/"));
    // no logging backend, no SLF4J (the cluster's, loaded parent-first)
    assertThat(entries)
        .noneMatch(e -> e.startsWith("org/apache/logging/log4j/"))
        .noneMatch(e -> e.startsWith("org/slf4j/"));
    assertThat(entries).noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)"));

    // and nothing the cluster's classpath has: a class in both would be loaded from the job's jar
    // (child-first) next to the cluster's copy of its neighbours
    Set<String> clusterClasses = new HashSet<>();
    for (Path flinkJar : FlinkLib.jars()) {
      for (String entry : entries(flinkJar)) {
        if (entry.endsWith(".class") && !entry.startsWith("META-INF/")) {
          clusterClasses.add(entry);
        }
      }
    }
    List<String> both =
        new ArrayList<>(new TreeSet<>(entries.stream().filter(clusterClasses::contains).toList()));
    assertThat(both).as("classes in the jar that the cluster's Flink jars hold too").isEmpty();
  }

  @Test
  void mergesServiceFilesSoTributarysConnectorAndHadoopsFileSystemsAreFound() throws IOException {
    try (JarFile file = new JarFile(jar().toFile())) {
      assertThat(text(file, "META-INF/services/org.apache.flink.table.factories.Factory"))
          .contains("io.tributary.runtime.catalog.DeltaTableFactory");
      assertThat(text(file, "META-INF/services/org.apache.hadoop.fs.FileSystem"))
          .contains("org.apache.hadoop.fs.LocalFileSystem");
      assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("io.tributary.runtime.cli.TributaryCli");
    }
  }

  private static String text(JarFile file, String name) throws IOException {
    JarEntry entry = file.getJarEntry(name);
    assertThat(entry).as(name).isNotNull();
    return new String(file.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
  }

  static Set<String> entries(Path jar) throws IOException {
    Set<String> names = new HashSet<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      file.stream().forEach(entry -> names.add(entry.getName()));
    }
    return names;
  }
}
