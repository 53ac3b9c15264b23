package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import io.tributary.runtime.storage.CountingFileSystem;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoLoaderSchemaEvolutionTest {

  @TempDir Path dir;

  private String schemaLocation() {
    return dir.resolve("schemas/bronze").toString();
  }

  private AutoLoader spec() {
    return AutoLoader.json(dir.resolve("in").toString());
  }

  private RowType resolve(AutoLoader spec) {
    return AutoLoaderSchemas.resolve(
        spec, schemaLocation(), new org.apache.hadoop.conf.Configuration());
  }

  private List<RowData> read(AutoLoader spec, RowType type, Path file, boolean withSchemaLocation)
      throws IOException {
    AutoLoaderOptions options = AutoLoaderOptions.of(spec);
    if (withSchemaLocation) {
      options = options.withSchemaLocation(schemaLocation());
    }
    AutoLoaderBulkFormat format = new AutoLoaderBulkFormat(options, type, "bronze_events");
    return Files.drain(
            format.createReader(new Configuration(), Files.split(file)), Integer.MAX_VALUE)
        .rows();
  }

  @Test
  void addNewColumnsStoresTheEvolvedSchemaThenFailsNamingTheColumnsAndTheNextRunReadsThem()
      throws IOException {
    Files.write(dir, "in/a.json", "{\"a\":\"1\"}\n");
    RowType first = resolve(spec());
    Path b =
        Files.write(
            dir, "in/b.json", "{\"a\":\"2\"}\n{\"a\":\"3\",\"c\":5,\"b\":\"x\",\"A\":\"case\"}\n");

    assertThatThrownBy(() -> read(spec(), first, b, true))
        .isInstanceOf(SchemaEvolvedException.class)
        .hasMessage(
            "Auto Loader source 'bronze_events': file "
                + Files.flinkPath(b)
                + " at line 2 has new columns "
                + "[c, b] that are not in the schema. schemaEvolutionMode=addNewColumns stored the evolved schema under '"
                + schemaLocation()
                + "', so the flow stops here and its next run reads them (production mode restarts it "
                + "within the update, development mode in the next update); use schemaEvolutionMode=rescue to keep such "
                + "fields in _rescued_data instead.")
        .satisfies(
            e -> assertThat(((SchemaEvolvedException) e).file()).isEqualTo(Files.flinkPath(b)))
        .satisfies(
            e -> assertThat(((SchemaEvolvedException) e).newColumns()).containsExactly("c", "b"));

    RowType evolved = resolve(spec());
    assertThat(evolved.asSummaryString())
        .isEqualTo("ROW<`a` STRING, `c` STRING, `b` STRING, `_rescued_data` STRING>");
    List<RowData> rows = read(spec(), evolved, b, true);
    assertThat(rows.get(1).getString(0).toString()).isEqualTo("3");
    assertThat(rows.get(1).getString(1).toString()).isEqualTo("5");
    assertThat(rows.get(1).getString(2).toString()).isEqualTo("x");
    assertThat(rows.get(1).getString(3).toString())
        .isEqualTo("{\"A\":\"case\",\"_file_path\":\"" + Files.flinkPath(b) + "\"}");
  }

  @Test
  void theEvolvedSchemaIsStoredWithThePipelinesHadoopSettings() throws IOException {
    Files.write(dir, "in/a.json", "{\"a\":\"1\"}\n");
    // a schema location on a scheme only the pipeline's settings register: a bare Configuration
    // cannot write it
    String location = CountingFileSystem.SCHEME + "://local" + dir.resolve("counted/bronze");
    HadoopSettings pipeline = HadoopSettings.of(CountingFileSystem.settings("pipeline"));
    RowType first = AutoLoaderSchemas.resolve(spec(), location, pipeline.toConfiguration());
    Path b = Files.write(dir, "in/b.json", "{\"a\":\"2\",\"n\":\"x\"}\n");
    AutoLoaderOptions options = AutoLoaderOptions.of(spec()).withSchemaLocation(location);

    assertThatThrownBy(
            () ->
                Files.drain(
                    new AutoLoaderBulkFormat(options, first, "bronze_events")
                        .createReader(new Configuration(), Files.split(b)),
                    Integer.MAX_VALUE))
        .isInstanceOf(AutoLoaderException.class)
        .hasMessageContaining("cannot store the evolved schema under '" + location + "'")
        .hasMessageContaining("No FileSystem for scheme \"counting\"");
    assertThatThrownBy(
            () ->
                Files.drain(
                    new AutoLoaderBulkFormat(options, first, "bronze_events", pipeline)
                        .createReader(new Configuration(), Files.split(b)),
                    Integer.MAX_VALUE))
        .isInstanceOf(SchemaEvolvedException.class);

    RowType stored = AutoLoaderSchemas.resolve(spec(), location, pipeline.toConfiguration());
    assertThat(stored.asSummaryString())
        .isEqualTo("ROW<`a` STRING, `n` STRING, `_rescued_data` STRING>");
    assertThat(java.nio.file.Files.exists(dir.resolve("counted/bronze"))).isTrue();
  }

  @Test
  void withoutASchemaLocationNewColumnsAreRescuedAsBefore() throws IOException {
    Files.write(dir, "in/a.json", "{\"a\":\"1\"}\n");
    RowType type = resolve(spec());
    Path b = Files.write(dir, "in/b.json", "{\"a\":\"2\",\"n\":1}\n");

    assertThat(read(spec(), type, b, false).get(0).getString(1).toString())
        .isEqualTo("{\"n\":1,\"_file_path\":\"" + Files.flinkPath(b) + "\"}");
  }

  @Test
  void rescueFailOnNewColumnsAndNone() throws IOException {
    Files.write(dir, "in/a.json", "{\"a\":\"1\"}\n");
    AutoLoader rescue = spec().option("schemaEvolutionMode", "rescue");
    RowType type = resolve(rescue);
    Path b = Files.write(dir, "in/b.json", "{\"a\":\"2\",\"n\":1}\n");
    assertThat(read(rescue, type, b, true).get(0).getString(1).toString())
        .isEqualTo("{\"n\":1,\"_file_path\":\"" + Files.flinkPath(b) + "\"}");

    AutoLoader fail = spec().option("cloudFiles.schemaEvolutionMode", "failOnNewColumns");
    assertThatThrownBy(() -> read(fail, type, b, true))
        .isInstanceOf(AutoLoaderException.class)
        .hasMessage(
            "Auto Loader source 'bronze_events': file "
                + Files.flinkPath(b)
                + " at line 1 has new columns "
                + "[n] that are not in the schema, and schemaEvolutionMode=failOnNewColumns stops on them. Add the columns "
                + "to the schema, or use schemaEvolutionMode=addNewColumns (evolve), rescue (keep them in _rescued_data) "
                + "or none (ignore them).");

    AutoLoader none = spec().option("schemaEvolutionMode", "none");
    RowData row = read(none, type, b, true).get(0);
    assertThat(row.getString(0).toString()).isEqualTo("2");
    assertThat(row.isNullAt(1)).isTrue();
    assertThat(resolve(spec()).getFieldNames()).containsExactly("a", "_rescued_data");
  }

  @Test
  void schemaHintsOverrideInferredTypesAndAddColumns() {
    Files.write(dir, "in/a.json", "{\"id\":\"7\",\"name\":\"x\"}\n");

    RowType type = resolve(spec().option("schemaHints", "id BIGINT, day DATE"));

    assertThat(type.asSummaryString())
        .isEqualTo("ROW<`id` BIGINT, `name` STRING, `day` DATE, `_rescued_data` STRING>");
    assertThat(resolve(spec()).asSummaryString())
        .isEqualTo("ROW<`id` STRING, `name` STRING, `_rescued_data` STRING>");
  }

  @Test
  void badCombinationsAreRejected() {
    assertThatThrownBy(
            () ->
                AutoLoaderOptions.of(
                    spec().schema("a STRING").option("schemaEvolutionMode", "addNewColumns")))
        .hasMessageContaining("must be rescue, failOnNewColumns or none with a declared schema");
    assertThatThrownBy(() -> AutoLoaderOptions.of(spec().option("schemaEvolutionMode", "evolve")))
        .hasMessageContaining("must be addNewColumns, rescue, failOnNewColumns or none");
    assertThatThrownBy(() -> resolve(spec().schema("a STRING").option("schemaHints", "a INT")))
        .hasMessageContaining(
            "option 'schemaHints' is 'a INT' but must be left out with a declared schema");
  }

  @Test
  void theRuntimeFindsTheEvolutionInAJobFailure() {
    SchemaEvolvedException evolved =
        AutoLoaderErrors.schemaEvolved("s", "file:/f", 1, List.of("x"), "/loc");
    RuntimeException failure =
        new RuntimeException("job failed", new IllegalStateException("task", evolved));

    assertThat(SchemaEvolvedException.find(failure)).containsSame(evolved);
    assertThat(SchemaEvolvedException.find(new RuntimeException("other"))).isEmpty();
  }
}
