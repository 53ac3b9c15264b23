package io.tributary.runtime.translate;

import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of {@link RowKeySelector}'s keys in keyed state ({@code dropDuplicates}, {@code
 * expectUnique}): the bytes of Flink's {@link StringSerializer}, written in one call.
 *
 * <pre>{@code
 * rows.keyBy(new RowKeySelector(rowType, List.of("event_id")), RowKeySerializer.TYPE)
 * }</pre>
 *
 * <p><b>Why.</b> The heap state backend writes every key of a snapshot into a {@code
 * DataOutputStream}, and {@code StringSerializer} writes a key one character at a time through its
 * {@code write(int)}, which is {@code synchronized}: for a million keys of 14 characters that is 15
 * million lock acquisitions per checkpoint and again for the savepoint that ends each update. This
 * serializer encodes the key with Flink's own {@link StringValue#writeString} into a small buffer and
 * hands the buffer over in one {@code write}; into a buffer already (RocksDB's key bytes), it writes
 * directly.
 *
 * <p><b>State compatibility.</b> The bytes are {@code StringSerializer}'s, so its snapshot declares
 * state saved with {@code StringSerializer} (by every build before this class) compatible as it is:
 * such savepoints restore, and what they restore reads the same. The names of this class and of its
 * {@link Snapshot} are written into savepoints: keep them.
 */
public final class RowKeySerializer extends TypeSerializerSingleton<String> {

  private static final long serialVersionUID = 1L;

  /** The serializer; it keeps nothing between calls. */
  public static final RowKeySerializer INSTANCE = new RowKeySerializer();

  /** The key type to pass to {@code keyBy} with a {@link RowKeySelector}. */
  public static final TypeInformation<String> TYPE = new KeyType();

  private RowKeySerializer() {}

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public String createInstance() {
    return "";
  }

  @Override
  public String copy(String from) {
    return from;
  }

  @Override
  public String copy(String from, String reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(String key, DataOutputView target) throws IOException {
    if (target instanceof DataOutputSerializer) {
      StringValue.writeString(key, target);
      return;
    }
    // at most 3 bytes a character and 5 for the length
    DataOutputSerializer bytes = new DataOutputSerializer(key.length() * 3 + 5);
    StringValue.writeString(key, bytes);
    target.write(bytes.getSharedBuffer(), 0, bytes.length());
  }

  @Override
  public String deserialize(DataInputView source) throws IOException {
    return StringValue.readString(source);
  }

  @Override
  public String deserialize(String reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    StringValue.copyString(source, target);
  }

  @Override
  public TypeSerializerSnapshot<String> snapshotConfiguration() {
    return new Snapshot();
  }

  private Object readResolve() {
    return INSTANCE;
  }

  /** The serializer's snapshot: compatible as it is with its own and with {@code StringSerializer}'s. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<String> {

    public Snapshot() {
      super(() -> INSTANCE);
    }

    @Override
    public TypeSerializerSchemaCompatibility<String> resolveSchemaCompatibility(
        TypeSerializerSnapshot<String> oldSerializerSnapshot) {
      if (oldSerializerSnapshot instanceof StringSerializer.StringSerializerSnapshot) {
        return TypeSerializerSchemaCompatibility.compatibleAsIs();
      }
      return super.resolveSchemaCompatibility(oldSerializerSnapshot);
    }
  }

  /** {@link #TYPE}: a string key whose serializer is {@link RowKeySerializer}. */
  private static final class KeyType extends TypeInformation<String> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
      return false;
    }

    @Override
    public boolean isTupleType() {
      return false;
    }

    @Override
    public int getArity() {
      return 1;
    }

    @Override
    public int getTotalFields() {
      return 1;
    }

    @Override
    public Class<String> getTypeClass() {
      return String.class;
    }

    @Override
    public boolean isKeyType() {
      return true;
    }

    @Override
    public TypeSerializer<String> createSerializer(SerializerConfig config) {
      return INSTANCE;
    }

    @Override
    public String toString() {
      return "RowKey(String)";
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof KeyType;
    }

    @Override
    public int hashCode() {
      return KeyType.class.hashCode();
    }

    @Override
    public boolean canEqual(Object other) {
      return other instanceof KeyType;
    }
  }
}
