package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cluster.StandaloneFlinkCluster;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.examples.CdcPipeline;
import io.tributary.examples.MedallionPipeline;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.source.CaughtUpRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The examples' pipelines, unchanged, on a standalone Flink cluster of separate JVMs whose classpath
 * holds only Flink's jars ({@code Tributary.pipeline(…).cluster(host:port)}): the jobs carry the
 * deployable jar and the examples' classes, their sources report caught up over REST only, and after
 * two updates with new input in between every table equals, row for row, the same two updates on an
 * embedded cluster.
 *
 * <p>Here, in {@code dist}, because it needs all three: the fixture (test scope), the runtime with the
 * examples, and the deployable jar this module builds (surefire runs after {@code package}). Parallelism
 * 1 on one TaskManager with two slots keeps it within CI's budget on two cores.
 */
@DisabledIfSystemProperty(named = StandaloneFlinkCluster.SKIP_PROPERTY, matches = "true")
class RemoteClusterITCase {

  private static final Path WORK = Path.of("target", "cluster", "remote").toAbsolutePath();
  private static final Path EXAMPLE_DATA = locateExampleData();

  private static StandaloneFlinkCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    long start = System.nanoTime();
    cluster =
        DistTestFiles.withRoomForJobs(
                StandaloneFlinkCluster.builder(WORK).taskManagers(1).slotsPerTaskManager(2))
            .start();
    System.out.printf("standalone cluster up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void medallionOnTheClusterEqualsTheEmbeddedRunRowForRow() throws Exception {
    Path input = WORK.resolve("input-medallion-" + UUID.randomUUID());
    Map<String, String> conf =
        Map.of(
            MedallionPipeline.ORDERS_KEY, input.resolve("orders").toString(),
            MedallionPipeline.CUSTOMERS_KEY, input.resolve("customers").toString());
    Runnable first =
        () -> {
          copy("medallion/orders/orders-001.json", input.resolve("orders"));
          copy("medallion/customers/customers-001.csv", input.resolve("customers"));
        };
    Runnable second = () -> copy("medallion/orders/orders-002.json", input.resolve("orders"));
    runBothWays(
        "medallion",
        new MedallionPipeline(),
        conf,
        first,
        second,
        List.of(
            "bronze_orders",
            "bronze_customers",
            "silver_orders",
            "silver_customers",
            "gold_customer_orders"));
  }

  @Test
  void cdcScd2OnTheClusterEqualsTheEmbeddedRunRowForRow() throws Exception {
    Path input = WORK.resolve("input-cdc-" + UUID.randomUUID());
    Map<String, String> conf =
        Map.of(
            CdcPipeline.CUSTOMERS_KEY, input.resolve("customers").toString(),
            CdcPipeline.PRODUCTS_KEY, input.resolve("products").toString());
    // products' changes-001.json ends with a keyless TRUNCATE row: the truncate is applied on the
    // cluster too
    Runnable first =
        () -> {
          copy("cdc/customers/changes-001.json", input.resolve("customers"));
          copy("cdc/products/changes-001.json", input.resolve("products"));
        };
    Runnable second =
        () -> {
          copy("cdc/customers/changes-002.json", input.resolve("customers"));
          copy("cdc/products/changes-002.json", input.resolve("products"));
        };
    Set<String> jobsBefore = jobIds();
    runBothWays(
        "cdc",
        new CdcPipeline(),
        conf,
        first,
        second,
        List.of("customers_scd1", "customers_scd2", "products"));
    // the customers job and the products job read nothing of each other: with the cluster's two
    // slots free (parallelism 1), each update ran them side by side
    List<long[]> spans = new ArrayList<>();
    for (JsonNode job : cluster.get("/jobs/overview").path("jobs")) {
      if (!jobsBefore.contains(job.path("jid").asText())) {
        spans.add(new long[] {job.path("start-time").asLong(), job.path("end-time").asLong()});
      }
    }
    assertThat(spans).as("the cdc updates' jobs on the cluster").hasSizeGreaterThanOrEqualTo(4);
    int overlapping = 0;
    for (int i = 0; i < spans.size(); i++) {
      for (int j = i + 1; j < spans.size(); j++) {
        if (spans.get(i)[0] < spans.get(j)[1] && spans.get(j)[0] < spans.get(i)[1]) {
          overlapping++;
        }
      }
    }
    assertThat(overlapping)
        .as("pairs of jobs that ran at the same time (a pair in each update)")
        .isGreaterThanOrEqualTo(2);
  }

  /**
   * {@code tributary start medallion.yml --cluster HOST:PORT} as a real process whose classpath is the
   * deployable jar, the examples' classes and Flink's jars (as a user's client with a Flink distribution
   * has): the jobs run on the cluster and the tables equal an embedded update's.
   */
  @Test
  void theCliStartsAnUpdateOnTheClusterWithClusterOption() throws Exception {
    Path input = WORK.resolve("input-cli-" + UUID.randomUUID());
    copy("medallion/orders/orders-001.json", input.resolve("orders"));
    copy("medallion/orders/orders-002.json", input.resolve("orders"));
    copy("medallion/customers/customers-001.csv", input.resolve("customers"));
    Map<String, String> conf =
        Map.of(
            MedallionPipeline.ORDERS_KEY, input.resolve("orders").toString(),
            MedallionPipeline.CUSTOMERS_KEY, input.resolve("customers").toString());
    Path remoteStorage = WORK.resolve("cli-remote-" + UUID.randomUUID());
    Path embeddedStorage = WORK.resolve("cli-embedded-" + UUID.randomUUID());
    Path file = WORK.resolve("cli-medallion-" + UUID.randomUUID() + ".yml");
    Files.writeString(
        file,
        "name: medallion\nstorage: "
            + remoteStorage
            + "\nlibraries:\n"
            + "  - io.tributary.examples.MedallionPipeline\nconfiguration:\n"
            + "  source.orders: "
            + conf.get(MedallionPipeline.ORDERS_KEY)
            + "\n"
            + "  source.customers: "
            + conf.get(MedallionPipeline.CUSTOMERS_KEY)
            + "\nflink:\n  parallelism: 1\n");
    Set<String> jobsBefore = jobIds();

    String classpath =
        String.join(
            java.io.File.pathSeparator,
            DeployableJarTest.jar().toString(),
            Path.of(
                    MedallionPipeline.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString(),
            io.tributary.cluster.FlinkLib.classpath());
    Path output = WORK.resolve("cli-" + UUID.randomUUID() + ".out");
    Process cli =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classpath,
                "io.tributary.runtime.cli.TributaryCli",
                "start",
                file.toString(),
                "--cluster",
                cluster.restAddress())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    boolean ended = cli.waitFor(10, java.util.concurrent.TimeUnit.MINUTES);
    if (!ended) {
      cli.destroyForcibly().waitFor();
    }
    String printed = Files.readString(output);
    System.out.printf("tributary start --cluster printed:%n%s%n", printed);
    assertThat(ended).as("the CLI ended within 10 minutes").isTrue();
    assertThat(cli.exitValue()).as("exit code; output:\n" + printed).isZero();
    assertThat(printed)
        .contains("Running the jobs on the Flink cluster at " + cluster.restAddress() + ".")
        .contains(
            "Note: the storage root "
                + remoteStorage
                + " is a local folder: this client, the JobManager"
                + " and every TaskManager must see that same folder at that same path.")
        .contains("Update 1 COMPLETED");
    List<String> states = new ArrayList<>();
    for (JsonNode job : cluster.get("/jobs/overview").path("jobs")) {
      if (!jobsBefore.contains(job.path("jid").asText())) {
        states.add(job.path("state").asText());
      }
    }
    assertThat(states).isNotEmpty().containsOnly("FINISHED");

    runEmbedded("medallion", new MedallionPipeline(), conf, embeddedStorage);
    List<String> tables = tableNames(embeddedStorage);
    assertThat(tableNames(remoteStorage)).isEqualTo(tables);
    for (String table : tables) {
      assertThat(rows(remoteStorage, table))
          .as("table " + table + " written by the CLI on the cluster")
          .isNotEmpty()
          .isEqualTo(rows(embeddedStorage, table));
    }
  }

  /**
   * Update 1 after {@code first}'s input, update 2 after {@code second}'s, each on the cluster and on an
   * embedded cluster (separate storage roots, the same input): the tables must be equal row for row.
   */
  private static void runBothWays(
      String name,
      PipelineDefinition definition,
      Map<String, String> conf,
      Runnable first,
      Runnable second,
      List<String> mustHaveRows)
      throws Exception {
    Path remoteStorage = WORK.resolve(name + "-remote-" + UUID.randomUUID());
    Path embeddedStorage = WORK.resolve(name + "-embedded-" + UUID.randomUUID());
    Set<String> jobsBefore = jobIds();
    List<String> updateIds = new ArrayList<>();

    first.run();
    updateIds.add(runRemote(name, definition, conf, remoteStorage).updateId());
    runEmbedded(name, definition, conf, embeddedStorage);
    second.run();
    updateIds.add(runRemote(name, definition, conf, remoteStorage).updateId());
    runEmbedded(name, definition, conf, embeddedStorage);

    // the cluster ran the remote updates' jobs, and each of them ended FINISHED (stopped with a
    // savepoint)
    Map<String, String> newJobs = new TreeMap<>();
    for (JsonNode job : cluster.get("/jobs/overview").path("jobs")) {
      if (!jobsBefore.contains(job.path("jid").asText())) {
        newJobs.put(
            job.path("jid").asText() + " " + job.path("name").asText(), job.path("state").asText());
      }
    }
    System.out.printf("%s: jobs on the cluster: %s%n", name, newJobs);
    assertThat(newJobs).hasSizeGreaterThanOrEqualTo(2);
    assertThat(newJobs.values()).as("states of the jobs on the cluster").containsOnly("FINISHED");
    // caught-up came over REST: nothing in this JVM awaited or reported the remote updates
    for (String updateId : updateIds) {
      assertThat(CaughtUpRegistry.tracks(updateId))
          .as("CaughtUpRegistry tracks " + updateId)
          .isFalse();
    }

    List<String> tables = tableNames(embeddedStorage);
    assertThat(tableNames(remoteStorage)).isEqualTo(tables);
    assertThat(tables).containsAll(mustHaveRows);
    for (String table : tables) {
      List<String> remote = rows(remoteStorage, table);
      List<String> embedded = rows(embeddedStorage, table);
      if (mustHaveRows.contains(table)) {
        assertThat(embedded).as("rows of " + table).isNotEmpty();
      }
      assertThat(remote).as("table " + table + " on the cluster vs embedded").isEqualTo(embedded);
    }
  }

  private static UpdateResult runRemote(
      String name, PipelineDefinition definition, Map<String, String> conf, Path storage) {
    long start = System.nanoTime();
    UpdateResult result =
        Tributary.pipeline(definition)
            .name(name)
            .storage(storage.toString())
            .configuration(conf)
            .parallelism(1)
            .cluster(cluster.restAddress())
            .run();
    System.out.printf(
        "%s: update %d on the cluster: %s in %d ms%n",
        name, result.number(), result.state(), (System.nanoTime() - start) / 1_000_000);
    assertThat(result.error()).isEmpty();
    assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
    return result;
  }

  static void runEmbedded(
      String name, PipelineDefinition definition, Map<String, String> conf, Path storage) {
    UpdateResult result =
        Tributary.pipeline(definition)
            .name(name)
            .storage(storage.toString())
            .configuration(conf)
            .parallelism(1)
            .run();
    assertThat(result.error()).isEmpty();
    assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
  }

  private static Set<String> jobIds() throws IOException, InterruptedException {
    Set<String> ids = new HashSet<>();
    cluster.get("/jobs/overview").path("jobs").forEach(job -> ids.add(job.path("jid").asText()));
    return ids;
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
      throw new java.io.UncheckedIOException(e);
    }
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
