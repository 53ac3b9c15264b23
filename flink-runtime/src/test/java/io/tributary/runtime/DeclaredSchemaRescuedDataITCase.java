package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.engine.EmbeddedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Auto Loader source with a declared schema follows Auto Loader: no rescued data column unless
 * {@code rescuedDataColumn} names one, malformed records follow {@code mode}, and a table created when
 * {@code _rescued_data} was the default keeps it. Through real updates, down to an {@code applyChanges}
 * target.
 */
class DeclaredSchemaRescuedDataITCase {

  private static EmbeddedCluster cluster;

  @TempDir Path dir;

  @BeforeAll
  static void startCluster() {
    cluster = EmbeddedCluster.start(2, new Configuration());
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  /**
   * Customers' changes with a declared schema: bronze, an expectation, a gold aggregate, and SCD type 1
   * and 2 targets. The configuration sets the source's {@code mode} and {@code rescuedDataColumn}.
   */
  public static final class Changes implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      AutoLoader source =
          AutoLoader.json(p.conf("source", "/none"))
              .schema("customer_id STRING, name STRING, seq BIGINT")
              .option("mode", p.conf("mode", "PERMISSIVE"));
      String rescued = p.conf("rescued", "");
      if (!rescued.isEmpty()) {
        source = source.option("rescuedDataColumn", rescued);
      }
      p.streamingTable("bronze").from(source);
      p.streamingTable("silver")
          .from("bronze")
          .expectOrDrop("has_key", "customer_id IS NOT NULL AND seq IS NOT NULL");
      p.table("gold").sql("SELECT COUNT(*) AS customers_seen FROM silver");
      p.createStreamingTable("customers");
      p.applyChanges("customers").from("silver").keys("customer_id").sequenceBy("seq");
      p.createStreamingTable("customers_history");
      p.applyChanges("customers_history")
          .from("silver")
          .keys("customer_id")
          .sequenceBy("seq")
          .storedAsScdType(2);
    }
  }

  private static final String FIRST =
      """
      {"customer_id":"c1","name":"Ann","seq":1,"vip":true}
      {"customer_id":"c2","name":"Bob","seq":"two"}
      {not json
      {"customer_id":"c1","name":"Anne","seq":3}
      """;

  @Test
  void aDeclaredSchemaTableAndEverythingDownstreamHaveExactlyTheDeclaredColumns() throws Exception {
    Path input = input("part-1.json", FIRST);

    UpdateResult result = run(input, Map.of());

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
    List<String> declared = List.of("customer_id", "name", "seq");
    assertThat(columns("bronze")).isEqualTo(declared);
    assertThat(columns("silver")).isEqualTo(declared);
    assertThat(columns("gold")).containsExactly("customers_seen");
    assertThat(columns("customers")).isEqualTo(declared);
    assertThat(columns("customers_history"))
        .containsExactly("customer_id", "name", "seq", "__START_AT", "__END_AT");
    // PERMISSIVE: the unknown field is ignored, "two" is no BIGINT (NULL), the malformed line a row
    // of NULLs
    assertThat(rows("bronze"))
        .containsExactlyInAnyOrder(
            Row.of("c1", "Ann", 1L),
            Row.of("c2", "Bob", null),
            Row.of(null, null, null),
            Row.of("c1", "Anne", 3L));
    assertThat(rows("gold")).containsExactly(Row.of(2L));
    assertThat(rows("customers")).containsExactly(Row.of("c1", "Anne", 3L));
  }

  @Test
  void dropMalformedDropsWhatCannotBeRead() throws Exception {
    Path input = input("part-1.json", FIRST);

    UpdateResult dropped = run(input, Map.of("mode", "DROPMALFORMED"));

    assertThat(dropped.state()).as("%s", dropped.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(columns("bronze")).containsExactly("customer_id", "name", "seq");
    assertThat(rows("bronze"))
        .containsExactlyInAnyOrder(Row.of("c1", "Ann", 1L), Row.of("c1", "Anne", 3L));
    assertThat(rows("customers")).containsExactly(Row.of("c1", "Anne", 3L));
  }

  @Test
  void failFastNamesFileLineAndFixAndLeavesTheTablesUnchanged() throws Exception {
    Path input =
        input("part-1.json", "{\"customer_id\":\"c1\",\"name\":\"Ann\",\"seq\":1,\"vip\":true}\n");
    UpdateResult first = run(input, Map.of("mode", "FAILFAST"));
    assertThat(first.state()).as("%s", first.error()).isEqualTo(UpdateState.COMPLETED);
    Path bad = input.resolve("part-2.json");
    Files.writeString(
        bad,
        "{\"customer_id\":\"c3\",\"name\":\"Cid\",\"seq\":4}\n{\"customer_id\":\"c4\",\"seq\":1.5}\n");
    Map<String, Long> versions = new HashMap<>();
    for (String table : List.of("bronze", "silver", "customers", "customers_history")) {
      versions.put(table, version(table));
    }

    UpdateResult failed = run(input, Map.of("mode", "FAILFAST"));

    assertThat(failed.state()).isEqualTo(UpdateState.FAILED);
    assertThat(failed.error().orElseThrow())
        .contains("Auto Loader source 'bronze-source-")
        .contains(
            "': malformed record in file "
                + flinkPath(bad)
                + " at line 2: column 'seq' is BIGINT but the value is 1.5. The option "
                + "mode=FAILFAST stops at the first malformed record; fix the file, or use mode=PERMISSIVE to read such "
                + "records with NULLs where they do not fit (and option rescuedDataColumn to keep what does not fit in a "
                + "column), or mode=DROPMALFORMED to drop them.");
    versions.forEach((table, version) -> assertThat(version(table)).as(table).isEqualTo(version));
    assertThat(rows("bronze")).containsExactly(Row.of("c1", "Ann", 1L));
  }

  @Test
  void rescuedDataColumnWithANameCarriesWhatDidNotFitUnderThatName() throws Exception {
    Path input = input("part-1.json", FIRST);

    UpdateResult result = run(input, Map.of("rescued", "bad_data"));

    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(columns("bronze")).containsExactly("customer_id", "name", "seq", "bad_data");
    assertThat(columns("customers")).containsExactly("customer_id", "name", "seq", "bad_data");
    String file = flinkPath(input.resolve("part-1.json"));
    assertThat(rows("bronze"))
        .extracting(row -> row.getField(3))
        .containsExactlyInAnyOrder(
            "{\"vip\":true,\"_file_path\":\"" + file + "\"}",
            "{\"seq\":\"two\",\"_file_path\":\"" + file + "\"}",
            "{\"_corrupt_record\":\"{not json\",\"_file_path\":\"" + file + "\",\"_line\":3}",
            null);
  }

  @Test
  void aTableCreatedWithTheOldDefaultKeepsRescuedDataAndItsStateAcrossUpdates() throws Exception {
    // bronze as the old default left it: the declared columns, then _rescued_data
    RowType old =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("customer_id", DataTypes.STRING()),
                    DataTypes.FIELD("name", DataTypes.STRING()),
                    DataTypes.FIELD("seq", DataTypes.BIGINT()),
                    DataTypes.FIELD("_rescued_data", DataTypes.STRING()))
                .getLogicalType();
    new UpstreamDeltaTable(table("bronze"), old).append(Row.of("c0", "Old", 0L, null));
    Path input = input("part-1.json", FIRST);

    UpdateResult before = run(input, Map.of());
    assertThat(before.state()).as("%s", before.error()).isEqualTo(UpdateState.COMPLETED);
    Files.writeString(
        input.resolve("part-2.json"),
        "{\"customer_id\":\"c2\",\"name\":\"Bo\",\"seq\":5,\"vip\":false}\n");
    UpdateResult after = run(input, Map.of());

    assertThat(after.state()).as("%s", after.error()).isEqualTo(UpdateState.COMPLETED);
    for (String table : List.of("bronze", "silver", "customers")) {
      assertThat(columns(table))
          .as(table)
          .containsExactly("customer_id", "name", "seq", "_rescued_data");
    }
    String file = flinkPath(input.resolve("part-2.json"));
    assertThat(rows("customers"))
        .containsExactlyInAnyOrder(
            Row.of("c1", "Anne", 3L, null),
            Row.of("c2", "Bo", 5L, "{\"vip\":false,\"_file_path\":\"" + file + "\"}"));
    assertThat(rows("bronze")).hasSize(6);

    // a full refresh starts the tables again, with the declared columns only
    UpdateResult refreshed = builder(input, Map.of()).fullRefresh(true).run();
    assertThat(refreshed.state()).as("%s", refreshed.error()).isEqualTo(UpdateState.COMPLETED);
    for (String table : List.of("bronze", "silver", "customers")) {
      assertThat(columns(table)).as(table).containsExactly("customer_id", "name", "seq");
    }
    assertThat(rows("bronze")).hasSize(5);
  }

  private static String flinkPath(Path file) {
    return file.toUri().toString().replace("file:///", "file:/");
  }

  private Path input(String file, String text) throws Exception {
    Path input = Files.createDirectories(dir.resolve("changes"));
    Files.writeString(input.resolve(file), text);
    return input;
  }

  private Tributary.Builder builder(Path input, Map<String, String> conf) {
    Map<String, String> configuration = new HashMap<>(conf);
    configuration.put("source", input.toString());
    return Tributary.pipeline(new Changes())
        .name("changes")
        .storage(dir.resolve("storage").toString())
        .configuration(configuration)
        .parallelism(2)
        .triggerInterval(Duration.ofSeconds(1))
        .cluster(cluster);
  }

  private UpdateResult run(Path input, Map<String, String> conf) {
    return builder(input, conf).run();
  }

  private String table(String name) {
    return dir.resolve("storage/tables/" + name).toString();
  }

  private List<String> columns(String name) {
    return DeltaTableReader.schema(table(name)).orElseThrow().getFieldNames();
  }

  private List<Row> rows(String name) {
    return DeltaTableReader.readAll(table(name));
  }

  private long version(String name) {
    try (var files = Files.list(dir.resolve("storage/tables/" + name + "/_delta_log"))) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(f -> f.endsWith(".json"))
          .mapToLong(f -> Long.parseLong(f.substring(0, f.indexOf('.'))))
          .max()
          .orElse(-1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
