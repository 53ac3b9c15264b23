package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cluster.StandaloneFlinkCluster;
import io.tributary.examples.MedallionPipeline;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.flink.types.Row;

/** Files the tests of a deployment share: the examples' data and classes, pipeline files, tables read back. */
final class DistTestFiles {

  static final Path EXAMPLE_DATA = locateExampleData();

  private DistTestFiles() {}

  /**
   * Sizes a standalone cluster for a test's jobs of the deployable jar. Each job loads that jar in a
   * class loader of its own, and those loaders are not all collected (Hadoop and Delta keep threads
   * and statics): with Flink's default 256 MB of Metaspace the TaskManager died of "OutOfMemoryError:
   * Metaspace" after about 14 jobs.
   */
  static StandaloneFlinkCluster.Builder withRoomForJobs(StandaloneFlinkCluster.Builder cluster) {
    return cluster
        .taskManagerMemory("2560m")
        .set("taskmanager.memory.jvm-metaspace.size", "1g")
        .set("jobmanager.memory.process.size", "1536m")
        .set("jobmanager.memory.jvm-metaspace.size", "512m")
        .startTimeout(Duration.ofSeconds(180));
  }

  /** The examples' classes as a jar (a reactor build may give a classes folder: packed once into {@code dir}). */
  static Path examplesJar(Path dir) throws IOException {
    Path location;
    try {
      location =
          Path.of(
              MedallionPipeline.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return Files.isDirectory(location)
        ? pack(location, dir.resolve("tributary-examples.jar"))
        : location;
  }

  /** A jar of {@code classes} (a folder), for a class a cluster process must load. */
  static Path pack(Path folder, Path jar) throws IOException {
    Files.createDirectories(jar.getParent());
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(folder)) {
      walk.filter(Files::isRegularFile).sorted().forEach(files::add);
    }
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream zip = new JarOutputStream(out)) {
      for (Path file : files) {
        zip.putNextEntry(new JarEntry(folder.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, zip);
        zip.closeEntry();
      }
    }
    return jar;
  }

  /** The medallion example's first input (orders-001, customers-001) in {@code input}/orders and /customers. */
  static Map<String, String> medallionInput(Path input) {
    copy("medallion/orders/orders-001.json", input.resolve("orders"));
    copy("medallion/customers/customers-001.csv", input.resolve("customers"));
    return Map.of(
        MedallionPipeline.ORDERS_KEY,
        input.resolve("orders").toString(),
        MedallionPipeline.CUSTOMERS_KEY,
        input.resolve("customers").toString());
  }

  /** A {@code pipeline.yml} of the medallion example with this storage root and input, parallelism 1. */
  static Path medallionFile(Path file, String storage, Map<String, String> conf)
      throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "name: medallion\nstorage: "
            + storage
            + "\nlibraries:\n"
            + "  - io.tributary.examples.MedallionPipeline\nconfiguration:\n"
            + "  source.orders: "
            + conf.get(MedallionPipeline.ORDERS_KEY)
            + "\n"
            + "  source.customers: "
            + conf.get(MedallionPipeline.CUSTOMERS_KEY)
            + "\nflink:\n  parallelism: 1\n");
    return file;
  }

  /** One update of the medallion example on an embedded cluster in this JVM, the reference run. */
  static void runEmbedded(Map<String, String> conf, Path storage) {
    UpdateResult result =
        Tributary.pipeline(new MedallionPipeline())
            .name("medallion")
            .storage(storage.toString())
            .configuration(conf)
            .parallelism(1)
            .run();
    assertThat(result.error()).isEmpty();
    assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
  }

  /** Every table of {@code actual} equals the one of {@code expected}, row for row, and is not empty. */
  static void assertSameTables(Path actual, Path expected, String what) throws IOException {
    List<String> tables = tableNames(expected);
    assertThat(tables).contains("bronze_orders", "silver_orders", "gold_customer_orders");
    assertThat(tableNames(actual)).as("tables " + what).isEqualTo(tables);
    for (String table : tables) {
      assertThat(rows(actual, table))
          .as("table " + table + " " + what)
          .isNotEmpty()
          .isEqualTo(rows(expected, table));
    }
  }

  static List<String> tableNames(Path storage) throws IOException {
    try (Stream<Path> tables = Files.list(storage.resolve("tables"))) {
      return tables
          .filter(table -> Files.isDirectory(table.resolve("_delta_log")))
          .map(table -> table.getFileName().toString())
          .sorted()
          .toList();
    }
  }

  static List<String> rows(Path storage, String table) {
    return DeltaTableReader.readAll(storage.resolve("tables").resolve(table).toString()).stream()
        .map(Row::toString)
        .sorted()
        .toList();
  }

  static void copy(String sample, Path folder) {
    try {
      Files.createDirectories(folder);
      Path from = EXAMPLE_DATA.resolve(sample);
      Files.copy(from, folder.resolve(from.getFileName()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for {@code process} to end, at most {@code minutes}; kills it and fails if it does not. */
  static int awaitExit(Process process, int minutes, Path output)
      throws InterruptedException, IOException {
    if (!process.waitFor(minutes, java.util.concurrent.TimeUnit.MINUTES)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError(
          "The process did not end within "
              + minutes
              + " minutes; its output:\n"
              + Files.readString(output));
    }
    return process.exitValue();
  }

  private static Path locateExampleData() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("examples/data/medallion"))) {
        return dir.resolve("examples/data");
      }
    }
    throw new IllegalStateException(
        "examples/data not found above " + Path.of("").toAbsolutePath());
  }
}
