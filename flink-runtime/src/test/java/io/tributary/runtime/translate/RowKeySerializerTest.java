package io.tributary.runtime.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.junit.jupiter.api.Test;

class RowKeySerializerTest {

  /** Keys as RowKeySelector makes them, and text beyond Latin-1 and past 127 characters. */
  private static final List<String> KEYS =
      List.of("", "14:evt-0000000042", "-", "2:c1-", "5:Zürich", "3:東京都", "x".repeat(300));

  private static byte[] stringSerializerBytes(String key) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(16);
    StringSerializer.INSTANCE.serialize(key, out);
    return out.getCopyOfBuffer();
  }

  @Test
  void writesStringSerializersBytesIntoAStreamAndIntoABuffer() throws Exception {
    for (String key : KEYS) {
      ByteArrayOutputStream stream = new ByteArrayOutputStream();
      RowKeySerializer.INSTANCE.serialize(key, new DataOutputViewStreamWrapper(stream));
      DataOutputSerializer buffer = new DataOutputSerializer(4);
      RowKeySerializer.INSTANCE.serialize(key, buffer);

      assertThat(stream.toByteArray()).as(key).isEqualTo(stringSerializerBytes(key));
      assertThat(buffer.getCopyOfBuffer()).as(key).isEqualTo(stringSerializerBytes(key));
      assertThat(
              RowKeySerializer.INSTANCE.deserialize(
                  new DataInputDeserializer(stringSerializerBytes(key))))
          .isEqualTo(key);
    }
  }

  @Test
  void stateSavedWithStringSerializerRestoresAsItIs() throws Exception {
    // what a savepoint of an earlier build holds for a dropDuplicates key
    TypeSerializerSnapshot<String> earlier =
        roundTrip(StringSerializer.INSTANCE.snapshotConfiguration());
    TypeSerializerSnapshot<String> own =
        roundTrip(RowKeySerializer.INSTANCE.snapshotConfiguration());

    TypeSerializerSchemaCompatibility<String> fromEarlier =
        RowKeySerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(earlier);
    TypeSerializerSchemaCompatibility<String> fromOwn =
        RowKeySerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(own);

    assertThat(fromEarlier.isCompatibleAsIs()).isTrue();
    assertThat(fromOwn.isCompatibleAsIs()).isTrue();
    assertThat(own.restoreSerializer()).isSameAs(RowKeySerializer.INSTANCE);
  }

  @Test
  void isTheSerializerOfTheKeyType() {
    assertThat(
            RowKeySerializer.TYPE.createSerializer(
                new org.apache.flink.api.common.serialization.SerializerConfigImpl()))
        .isSameAs(RowKeySerializer.INSTANCE);
    assertThat(RowKeySerializer.TYPE.isKeyType()).isTrue();
    assertThat(RowKeySerializer.TYPE.getTypeClass()).isEqualTo(String.class);
  }

  /** A snapshot as a savepoint writes it and a restore reads it back. */
  private static TypeSerializerSnapshot<String> roundTrip(TypeSerializerSnapshot<String> snapshot)
      throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
    return TypeSerializerSnapshot.readVersionedSnapshot(
        new DataInputDeserializer(out.getCopyOfBuffer()),
        RowKeySerializerTest.class.getClassLoader());
  }
}
