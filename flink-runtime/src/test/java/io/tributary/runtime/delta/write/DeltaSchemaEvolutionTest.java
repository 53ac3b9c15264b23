package io.tributary.runtime.delta.write;

import static io.tributary.runtime.delta.DeltaTestSupport.internal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.DeltaTestSupport;
import io.tributary.runtime.delta.DeltaTypes;
import io.tributary.runtime.delta.read.DeltaTableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table's schema gains nullable columns at the end in place (a metadata action, no column mapping),
 * and every reader reads NULL for them in files written before; any other change is refused, naming
 * the table, the column, both types and the full refresh that fixes it.
 */
class DeltaSchemaEvolutionTest {

  static final RowType V1 =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .notNull()
              .getLogicalType();

  /** V1 with a column among the old ones (as Auto Loader adds before _rescued_data) and one at the end. */
  static final RowType V2 =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("city", DataTypes.STRING()),
                  DataTypes.FIELD("name", DataTypes.STRING()),
                  DataTypes.FIELD("score", DataTypes.DOUBLE()))
              .notNull()
              .getLogicalType();

  @TempDir Path dir;

  private final Configuration conf = new Configuration();
  private final Engine engine = DefaultEngine.create(conf);

  private List<DeltaDataFile> write(String table, RowType type, Row... rows) throws Exception {
    try (DeltaFileWriter writer = new DeltaFileWriter(table, type, List.of(), 1 << 20, conf, 0)) {
      for (Row row : rows) {
        writer.write(internal(type, row));
      }
      return writer.closeAll();
    }
  }

  @Test
  void newNullableColumnsAreCommittedWithTheEpochAndOldFilesReadNull() throws Exception {
    String table = dir.resolve("bronze").toString();
    new DeltaTableCommitter(engine, DeltaWriteSpec.append(table, V1, "app"))
        .commit(1, write(table, V1, Row.of(1L, "a"), Row.of(2L, null)), false);

    DeltaTableCommitter evolved =
        new DeltaTableCommitter(engine, DeltaWriteSpec.append(table, V2, "app"));
    assertThat(evolved.commit(2, write(table, V2, Row.of(3L, "Oslo", "c", 0.5)), false))
        .isEqualTo(OptionalLong.of(1));

    List<Row> expected =
        List.of(
            Row.of(1L, null, "a", null),
            Row.of(2L, null, null, null),
            Row.of(3L, "Oslo", "c", 0.5));
    assertThat(DeltaTableReader.schema(table)).contains(V2);
    assertThat(DeltaTableReader.readAll(table)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(DeltaTestSupport.readWithStandalone(table, V2))
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(DeltaTableReader.readAll(table, 0))
        .containsExactlyInAnyOrder(Row.of(1L, "a"), Row.of(2L, null));
    // one commit: the new metadata, the txn and the file; the protocol stays 1/2 (no column
    // mapping)
    String log = Files.readString(dir.resolve("bronze/_delta_log/00000000000000000001.json"));
    assertThat(log)
        .contains(
            "\"metaData\":{",
            "\\\"name\\\":\\\"city\\\"",
            "\"txn\":{\"appId\":\"app\",\"version\":2",
            "\"add\":{")
        .doesNotContain("\"protocol\"", "columnMapping");
  }

  @Test
  void ensureTableCommitsTheNewColumnsAloneBeforeTheFirstEpoch() throws Exception {
    String table = dir.resolve("silver").toString();
    new DeltaTableCommitter(engine, DeltaWriteSpec.append(table, V1, "app"))
        .commit(1, write(table, V1, Row.of(1L, "a")), false);

    DeltaTableCommitter evolved =
        new DeltaTableCommitter(engine, DeltaWriteSpec.append(table, V2, "app"));
    evolved.ensureTable();
    assertThat(DeltaTableReader.version(table)).isEqualTo(1);
    assertThat(DeltaTableReader.schema(table)).contains(V2);
    assertThat(DeltaTableReader.readAll(table)).containsExactly(Row.of(1L, null, "a", null));
    evolved.ensureTable(); // nothing more to do
    assertThat(DeltaTableReader.version(table)).isEqualTo(1);
    assertThat(evolved.latestTransactionVersion()).isEqualTo(OptionalLong.of(1));
  }

  @Test
  void keyedTablesAndOverwritesEvolveInTheirCommitToo() throws Exception {
    String keyed = dir.resolve("scd1").toString();
    List<DeltaDataFile> v1 = write(keyed, V1, Row.of(1L, "a"));
    new DeltaTableCommitter(engine, DeltaWriteSpec.upsert(keyed, V1, "app", List.of("id")))
        .commitChanges(1, List.of(), v1);
    new DeltaTableCommitter(engine, DeltaWriteSpec.upsert(keyed, V2, "app", List.of("id")))
        .commitChanges(
            2, v1, write(keyed, V2, Row.of(1L, "Rome", "a", null), Row.of(2L, null, "b", 1.0)));
    assertThat(DeltaTableReader.readAll(keyed))
        .containsExactlyInAnyOrder(Row.of(1L, "Rome", "a", null), Row.of(2L, null, "b", 1.0));

    String gold = dir.resolve("gold").toString();
    new DeltaTableCommitter(engine, DeltaWriteSpec.overwrite(gold, V1, "ow", 1))
        .commit(1, write(gold, V1, Row.of(1L, "a")), true);
    new DeltaTableCommitter(engine, DeltaWriteSpec.overwrite(gold, V2, "ow", 2))
        .commit(2, write(gold, V2, Row.of(5L, "Lima", "e", 2.0)), true);
    assertThat(DeltaTableReader.readAll(gold)).containsExactly(Row.of(5L, "Lima", "e", 2.0));
    assertThat(DeltaTestSupport.readWithStandalone(gold, V2))
        .containsExactly(Row.of(5L, "Lima", "e", 2.0));
  }

  @Test
  void aTypeChangeIsRefusedNamingTableColumnTypesAndFix() throws Exception {
    String table = dir.resolve("bronze_orders").toString();
    new DeltaTableCommitter(engine, DeltaWriteSpec.append(table, V1, "app"))
        .commit(1, write(table, V1, Row.of(1L, "a")), false);
    RowType changed =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.STRING()),
                    DataTypes.FIELD("name", DataTypes.STRING()))
                .notNull()
                .getLogicalType();

    assertThatThrownBy(
            () ->
                new DeltaTableCommitter(engine, DeltaWriteSpec.append(table, changed, "app"))
                    .commit(2, write(table, changed, Row.of("2", "b")), false))
        .isInstanceOf(DeltaTableException.class)
        .hasMessage(
            "Table '"
                + table
                + "': column 'id' is long in the table but the job now writes it as string."
                + " Delta cannot change a column's type in place (files already written hold the old type). Run a full"
                + " refresh of the table: tributary start PIPELINE.yml --full-refresh-tables bronze_orders.");
    assertThat(DeltaTableReader.version(table)).isZero();
  }

  @Test
  void droppedReorderedAndRequiredColumnsAreRefused() {
    String table = "/data/tables/silver_orders";
    var v1 = DeltaTypes.toStructType(V1);
    assertThatThrownBy(
            () ->
                SchemaEvolution.evolved(
                    table,
                    v1,
                    DeltaTypes.toStructType(
                        (RowType)
                            DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT()))
                                .notNull()
                                .getLogicalType())))
        .hasMessage(
            "Table '/data/tables/silver_orders': column 'name' (string) is in the table but the job no"
                + " longer writes it (it writes [id]). Only new nullable columns at the end can be added in place;"
                + " select the column again, or run a full refresh of the table: tributary start PIPELINE.yml"
                + " --full-refresh-tables silver_orders.");
    assertThatThrownBy(
            () ->
                SchemaEvolution.evolved(
                    table,
                    v1,
                    DeltaTypes.toStructType(
                        (RowType)
                            DataTypes.ROW(
                                    DataTypes.FIELD("name", DataTypes.STRING()),
                                    DataTypes.FIELD("id", DataTypes.BIGINT()))
                                .notNull()
                                .getLogicalType())))
        .hasMessage(
            "Table '/data/tables/silver_orders' has columns [id, name] but the job writes [name, id]: the"
                + " table's columns must come first, in their order, and new columns after them. Reorder the query's"
                + " columns, or run a full refresh of the table: tributary start PIPELINE.yml --full-refresh-tables"
                + " silver_orders.");
    assertThatThrownBy(
            () ->
                SchemaEvolution.evolved(
                    table,
                    v1,
                    DeltaTypes.toStructType(
                        (RowType)
                            DataTypes.ROW(
                                    DataTypes.FIELD("id", DataTypes.BIGINT()),
                                    DataTypes.FIELD("name", DataTypes.STRING()),
                                    DataTypes.FIELD("tier", DataTypes.INT().notNull()))
                                .notNull()
                                .getLogicalType())))
        .hasMessage(
            "Table '/data/tables/silver_orders': the job adds NOT NULL columns [tier integer NOT NULL],"
                + " but the rows already in the table have no value for them. Make the columns nullable, or run a"
                + " full refresh of the table: tributary start PIPELINE.yml --full-refresh-tables silver_orders.");
    assertThat(SchemaEvolution.evolved(table, v1, v1)).isEmpty();
  }
}
