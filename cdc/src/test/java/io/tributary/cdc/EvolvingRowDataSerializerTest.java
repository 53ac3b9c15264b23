package io.tributary.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.junit.jupiter.api.Test;

/**
 * Rows in state whose type gained nullable columns (at the top, in a nested row, in rows of an array)
 * are compatible after migration and migrate by name; other changes are incompatible, so Flink
 * refuses the restore instead of misreading the bytes.
 */
class EvolvingRowDataSerializerTest {

  static final RowType V1 =
      type("ROW<`id` INT NOT NULL, `nested` ROW<`a` STRING>, `tags` ARRAY<ROW<`x` INT>>>");
  static final RowType V2 =
      type(
          "ROW<`id` INT NOT NULL, `city` STRING, `nested` ROW<`a` STRING, `b` INT>,"
              + " `tags` ARRAY<ROW<`x` INT, `y` STRING>>, `score` DOUBLE>");

  static RowType type(String text) {
    return (RowType)
        LogicalTypeParser.parse(text, EvolvingRowDataSerializerTest.class.getClassLoader());
  }

  /** The snapshot as Flink stores it in a checkpoint and reads it back. */
  static TypeSerializerSnapshot<RowData> stored(TypeSerializer<RowData> serializer)
      throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
    return TypeSerializerSnapshot.readVersionedSnapshot(
        new DataInputDeserializer(out.getCopyOfBuffer()),
        EvolvingRowDataSerializerTest.class.getClassLoader());
  }

  static TypeSerializerSchemaCompatibility<RowData> compatibility(
      RowType now, TypeSerializer<RowData> old) throws IOException {
    return new EvolvingRowDataSerializer(now)
        .snapshotConfiguration()
        .resolveSchemaCompatibility(stored(old));
  }

  @Test
  void addedNullableColumnsAreCompatibleAfterMigrationAndMigrateByName() throws Exception {
    EvolvingRowDataSerializer old = new EvolvingRowDataSerializer(V1);
    TypeSerializerSnapshot<RowData> snapshot = stored(old);
    assertThat(
            new EvolvingRowDataSerializer(V2)
                .snapshotConfiguration()
                .resolveSchemaCompatibility(snapshot)
                .isCompatibleAfterMigration())
        .isTrue();

    DataOutputSerializer written = new DataOutputSerializer(64);
    old.serialize(
        GenericRowData.of(
            7,
            GenericRowData.of(StringData.fromString("n")),
            new GenericArrayData(new Object[] {GenericRowData.of(1), null})),
        written);
    // what RocksDB does: read with the restore serializer, write with the new one, read with the
    // new one
    RowData restored =
        snapshot
            .restoreSerializer()
            .deserialize(new DataInputDeserializer(written.getCopyOfBuffer()));
    EvolvingRowDataSerializer now = new EvolvingRowDataSerializer(V2);
    DataOutputSerializer migrated = new DataOutputSerializer(64);
    now.serialize(restored, migrated);
    RowData row = now.deserialize(new DataInputDeserializer(migrated.getCopyOfBuffer()));

    assertThat(Rows.describe(row, V2))
        .isEqualTo(
            "{id=7, city=NULL, nested={a=n, b=NULL}, tags=[{x=1, y=NULL}, NULL]," + " score=NULL}");
    // what the heap does: hand back the restored object, which its reader conforms
    assertThat(Rows.describe(EvolvingRowDataSerializer.conform(restored, V2), V2))
        .isEqualTo(Rows.describe(row, V2));
    assertThat(Rows.describe(now.copy(restored), V2)).isEqualTo(Rows.describe(row, V2));
  }

  @Test
  void theSameTypeIsCompatibleAsIsAndOtherChangesAreIncompatible() throws Exception {
    assertThat(compatibility(V1, new EvolvingRowDataSerializer(V1)).isCompatibleAsIs()).isTrue();
    EvolvingRowDataSerializer v2 = new EvolvingRowDataSerializer(V2);
    assertThat(compatibility(V1, v2).isIncompatible()).as("columns dropped").isTrue();
    assertThat(
            compatibility(
                    type(
                        "ROW<`id` BIGINT NOT NULL, `nested` ROW<`a` STRING>, `tags` ARRAY<ROW<`x` INT>>>"),
                    new EvolvingRowDataSerializer(V1))
                .isIncompatible())
        .as("a type changed")
        .isTrue();
    assertThat(
            compatibility(
                    type(
                        "ROW<`id` INT NOT NULL, `nested` ROW<`a` STRING>, `tags` ARRAY<ROW<`x` INT>>,"
                            + " `tier` INT NOT NULL>"),
                    new EvolvingRowDataSerializer(V1))
                .isIncompatible())
        .as("a NOT NULL column added")
        .isTrue();
    assertThat(
            compatibility(
                    type(
                        "ROW<`id` INT NOT NULL, `nested` ROW<`b` STRING>, `tags` ARRAY<ROW<`x` INT>>>"),
                    new EvolvingRowDataSerializer(V1))
                .isIncompatible())
        .as("a nested column renamed")
        .isTrue();
  }

  @Test
  void stateWrittenByFlinksRowDataSerializerIsCompatibleAsIsWhenTheTypesAreTheSame()
      throws Exception {
    assertThat(compatibility(V1, new RowDataSerializer(V1)).isCompatibleAsIs()).isTrue();
    assertThat(compatibility(V2, new RowDataSerializer(V1)).isIncompatible())
        .as("no names to migrate by")
        .isTrue();
  }
}
