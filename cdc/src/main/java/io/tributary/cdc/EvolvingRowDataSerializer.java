package io.tributary.cdc;

import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;

/**
 * Rows in keyed state whose type may gain nullable columns between runs (a source evolved by Auto
 * Loader's {@code addNewColumns}, at the top level or inside nested rows). The bytes are Flink's
 * {@link RowDataSerializer}'s; the snapshot also keeps the column names, so a restore with a type
 * that kept every column (same name and type, nested rows evolving the same way) and added nullable
 * ones is compatible after migration, and anything else (a dropped or retyped column) incompatible.
 *
 * <p>Migration maps columns by name. Rows read by a restore serializer carry their type
 * ({@link TypedRow}); this serializer {@link #conform}s such rows to its own type before writing them
 * (RocksDB migrates by reading with the old serializer and writing with the new), and readers of
 * heap state, which hands back the restored objects themselves, conform what they read.
 */
public final class EvolvingRowDataSerializer extends TypeSerializer<RowData> {

  private static final long serialVersionUID = 1L;

  private final RowType type;

  /** A restore serializer reads rows that carry their type, so they can be conformed to a newer one. */
  private final boolean typedReads;

  private final RowDataSerializer rows;

  public EvolvingRowDataSerializer(RowType type) {
    this(type, false);
  }

  private EvolvingRowDataSerializer(RowType type, boolean typedReads) {
    this.type = Objects.requireNonNull(type, "type");
    this.typedReads = typedReads;
    this.rows = new RowDataSerializer(type);
  }

  public RowType type() {
    return type;
  }

  /**
   * {@code row} with the columns of {@code target}: the row itself unless it was read by a restore
   * serializer of another type; then its columns by name, NULL for the columns it lacks.
   */
  public static RowData conform(RowData row, RowType target) {
    if (!(row instanceof TypedRow typed) || typed.type.equals(target)) {
      return row;
    }
    GenericRowData out = new GenericRowData(row.getRowKind(), target.getFieldCount());
    for (int i = 0; i < target.getFieldCount(); i++) {
      int from = typed.type.getFieldIndex(target.getFieldNames().get(i));
      if (from >= 0) {
        out.setField(i, conformValue(typed.getField(from), target.getTypeAt(i)));
      }
    }
    return out;
  }

  private static Object conformValue(Object value, LogicalType target) {
    if (value instanceof RowData row && target instanceof RowType rowType) {
      return conform(row, rowType);
    }
    if (value instanceof GenericArrayData array
        && target instanceof ArrayType arrayType
        && arrayType.getElementType() instanceof RowType element
        && !array.isPrimitiveArray()) {
      Object[] elements = array.toObjectArray();
      Object[] conformed = new Object[elements.length];
      for (int i = 0; i < elements.length; i++) {
        conformed[i] = elements[i] == null ? null : conform((RowData) elements[i], element);
      }
      return new GenericArrayData(conformed);
    }
    return value;
  }

  /** The type {@code row} was written in, if a restore serializer read it. */
  public static java.util.Optional<RowType> writtenType(RowData row) {
    return row instanceof TypedRow typed
        ? java.util.Optional.of(typed.type)
        : java.util.Optional.empty();
  }

  /** Whether rows of {@code old} can be conformed to {@code now}: columns kept by name and type, new ones nullable. */
  static boolean evolvable(RowType old, RowType now) {
    for (RowType.RowField field : old.getFields()) {
      int at = now.getFieldIndex(field.getName());
      if (at < 0 || !evolvable(field.getType(), now.getTypeAt(at))) {
        return false;
      }
    }
    return now.getFields().stream()
        .allMatch(f -> old.getFieldIndex(f.getName()) >= 0 || f.getType().isNullable());
  }

  private static boolean evolvable(LogicalType old, LogicalType now) {
    if (old.equals(now)) {
      return true;
    }
    if (old.isNullable() != now.isNullable()) {
      return false;
    }
    if (old instanceof RowType oldRow && now instanceof RowType nowRow) {
      return evolvable(oldRow, nowRow);
    }
    return old instanceof ArrayType oldArray
        && now instanceof ArrayType nowArray
        && oldArray.getElementType() instanceof RowType oldElement
        && nowArray.getElementType() instanceof RowType nowElement
        && evolvable(oldElement, nowElement);
  }

  /** A deep generic copy of {@code row} that remembers its type (nested rows, and rows in arrays, too). */
  private static TypedRow typed(RowData row, RowType type) {
    TypedRow out = new TypedRow(type, row.getRowKind());
    for (int i = 0; i < type.getFieldCount(); i++) {
      LogicalType field = type.getTypeAt(i);
      Object value = RowData.createFieldGetter(field.copy(true), i).getFieldOrNull(row);
      if (value instanceof RowData nested && field instanceof RowType nestedType) {
        value = typed(nested, nestedType);
      } else if (value instanceof ArrayData array
          && field instanceof ArrayType arrayType
          && arrayType.getElementType() instanceof RowType element) {
        Object[] elements = new Object[array.size()];
        for (int j = 0; j < elements.length; j++) {
          elements[j] =
              array.isNullAt(j) ? null : typed(array.getRow(j, element.getFieldCount()), element);
        }
        value = new GenericArrayData(elements);
      }
      out.setField(i, value);
    }
    return out;
  }

  /** A row read by a restore serializer, with the type it was written in (a generic row inside). */
  static final class TypedRow implements RowData {
    private final RowType type;
    private final GenericRowData values;

    TypedRow(RowType type, org.apache.flink.types.RowKind kind) {
      this.type = type;
      this.values = new GenericRowData(kind, type.getFieldCount());
    }

    void setField(int pos, Object value) {
      values.setField(pos, value);
    }

    Object getField(int pos) {
      return values.getField(pos);
    }

    @Override
    public int getArity() {
      return values.getArity();
    }

    @Override
    public org.apache.flink.types.RowKind getRowKind() {
      return values.getRowKind();
    }

    @Override
    public void setRowKind(org.apache.flink.types.RowKind kind) {
      values.setRowKind(kind);
    }

    @Override
    public boolean isNullAt(int pos) {
      return values.isNullAt(pos);
    }

    @Override
    public boolean getBoolean(int pos) {
      return values.getBoolean(pos);
    }

    @Override
    public byte getByte(int pos) {
      return values.getByte(pos);
    }

    @Override
    public short getShort(int pos) {
      return values.getShort(pos);
    }

    @Override
    public int getInt(int pos) {
      return values.getInt(pos);
    }

    @Override
    public long getLong(int pos) {
      return values.getLong(pos);
    }

    @Override
    public float getFloat(int pos) {
      return values.getFloat(pos);
    }

    @Override
    public double getDouble(int pos) {
      return values.getDouble(pos);
    }

    @Override
    public org.apache.flink.table.data.StringData getString(int pos) {
      return values.getString(pos);
    }

    @Override
    public org.apache.flink.table.data.DecimalData getDecimal(int pos, int precision, int scale) {
      return values.getDecimal(pos, precision, scale);
    }

    @Override
    public org.apache.flink.table.data.TimestampData getTimestamp(int pos, int precision) {
      return values.getTimestamp(pos, precision);
    }

    @Override
    public <T> org.apache.flink.table.data.RawValueData<T> getRawValue(int pos) {
      return values.getRawValue(pos);
    }

    @Override
    public byte[] getBinary(int pos) {
      return values.getBinary(pos);
    }

    @Override
    public ArrayData getArray(int pos) {
      return values.getArray(pos);
    }

    @Override
    public org.apache.flink.table.data.MapData getMap(int pos) {
      return values.getMap(pos);
    }

    @Override
    public RowData getRow(int pos, int numFields) {
      return values.getRow(pos, numFields);
    }

    @Override
    public org.apache.flink.types.variant.Variant getVariant(int pos) {
      return values.getVariant(pos);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TypedRow other && other.type.equals(type) && other.values.equals(values);
    }

    @Override
    public int hashCode() {
      return values.hashCode();
    }
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<RowData> duplicate() {
    return new EvolvingRowDataSerializer(type, typedReads);
  }

  @Override
  public RowData createInstance() {
    return rows.createInstance();
  }

  @Override
  public RowData copy(RowData from) {
    return rows.copy(conform(from, type));
  }

  @Override
  public RowData copy(RowData from, RowData reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(RowData record, DataOutputView target) throws IOException {
    rows.serialize(conform(record, type), target);
  }

  @Override
  public RowData deserialize(DataInputView source) throws IOException {
    RowData row = rows.deserialize(source);
    return typedReads ? typed(row, type) : row;
  }

  @Override
  public RowData deserialize(RowData reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    rows.copy(source, target);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EvolvingRowDataSerializer other
        && other.type.equals(type)
        && other.typedReads == typedReads;
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<RowData> snapshotConfiguration() {
    return new Snapshot(type);
  }

  /** The row type, with its column names, as Flink SQL type text. */
  public static final class Snapshot implements TypeSerializerSnapshot<RowData> {

    private static final int VERSION = 1;

    private RowType type;

    /** For Flink, which reads the type with {@link #readSnapshot}. */
    public Snapshot() {}

    Snapshot(RowType type) {
      this.type = type;
    }

    @Override
    public int getCurrentVersion() {
      return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
      out.writeUTF(type.asSerializableString());
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
        throws IOException {
      if (readVersion != VERSION) {
        throw new IOException("unknown EvolvingRowDataSerializer snapshot version " + readVersion);
      }
      type = (RowType) LogicalTypeParser.parse(in.readUTF(), classLoader);
    }

    @Override
    public TypeSerializer<RowData> restoreSerializer() {
      return new EvolvingRowDataSerializer(type, true);
    }

    /**
     * Called on the new serializer's snapshot with the one the state was written under. State written
     * by Flink's plain {@code RowDataSerializer} (before rows could evolve) has the same bytes: compatible
     * if its types are the same, though it has no names to migrate by.
     */
    @Override
    public TypeSerializerSchemaCompatibility<RowData> resolveSchemaCompatibility(
        TypeSerializerSnapshot<RowData> oldSnapshot) {
      if (oldSnapshot instanceof Snapshot old) {
        return old.type.equals(type)
            ? TypeSerializerSchemaCompatibility.compatibleAsIs()
            : evolvable(old.type, type)
                ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                : TypeSerializerSchemaCompatibility.incompatible();
      }
      if (oldSnapshot instanceof RowDataSerializer.RowDataSerializerSnapshot
          && oldSnapshot.restoreSerializer().equals(new RowDataSerializer(type))) {
        return TypeSerializerSchemaCompatibility.compatibleAsIs();
      }
      return TypeSerializerSchemaCompatibility.incompatible();
    }
  }
}
