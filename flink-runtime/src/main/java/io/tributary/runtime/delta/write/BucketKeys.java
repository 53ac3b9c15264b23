package io.tributary.runtime.delta.write;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * The key of a row of a keyed table and the hash bucket it lives in. The key is encoded in a
 * canonical byte form of our own (column by column: a null flag, then the value in a fixed
 * big-endian layout), so equal keys have equal bytes whatever {@link RowData} implementation carries
 * them, and the bucket (a 64-bit FNV-1a hash of those bytes, finalized and taken modulo the bucket
 * count) is the same in every JVM and every Flink version: it is part of the table's layout on disk.
 */
public final class BucketKeys {

  /** Column types that may be key columns: scalars with an exact, canonical value. */
  static final Set<LogicalTypeRoot> KEY_TYPES =
      Set.of(
          LogicalTypeRoot.CHAR,
          LogicalTypeRoot.VARCHAR,
          LogicalTypeRoot.BOOLEAN,
          LogicalTypeRoot.TINYINT,
          LogicalTypeRoot.SMALLINT,
          LogicalTypeRoot.INTEGER,
          LogicalTypeRoot.BIGINT,
          LogicalTypeRoot.DATE,
          LogicalTypeRoot.DECIMAL,
          LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE,
          LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE,
          LogicalTypeRoot.BINARY,
          LogicalTypeRoot.VARBINARY);

  private final int[] positions;
  private final LogicalType[] types;
  private final int buckets;

  BucketKeys(RowType rowType, List<String> keyColumns, int buckets) {
    this.positions = keyColumns.stream().mapToInt(rowType.getFieldNames()::indexOf).toArray();
    this.types = new LogicalType[positions.length];
    for (int i = 0; i < positions.length; i++) {
      types[i] = rowType.getTypeAt(positions[i]);
      if (!KEY_TYPES.contains(types[i].getTypeRoot())) {
        throw new IllegalStateException("key column type not validated: " + types[i]);
      }
    }
    this.buckets = buckets;
  }

  static BucketKeys of(DeltaWriteSpec spec) {
    return new BucketKeys(spec.rowType(), spec.keyColumns(), spec.buckets());
  }

  /** The row's key in canonical bytes, wrapped so it can be a hash map key. */
  ByteBuffer key(RowData row) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (int i = 0; i < positions.length; i++) {
        int pos = positions[i];
        if (row.isNullAt(pos)) {
          out.writeByte(0);
          continue;
        }
        out.writeByte(1);
        switch (types[i].getTypeRoot()) {
          case CHAR, VARCHAR -> writeBytes(out, row.getString(pos).toBytes());
          case BOOLEAN -> out.writeBoolean(row.getBoolean(pos));
          case TINYINT -> out.writeByte(row.getByte(pos));
          case SMALLINT -> out.writeShort(row.getShort(pos));
          case INTEGER, DATE -> out.writeInt(row.getInt(pos));
          case BIGINT -> out.writeLong(row.getLong(pos));
          case DECIMAL -> {
            DecimalType d = (DecimalType) types[i];
            DecimalData value = row.getDecimal(pos, d.getPrecision(), d.getScale());
            writeBytes(out, value.toUnscaledBytes());
          }
          case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> {
            TimestampData ts = row.getTimestamp(pos, precision(types[i]));
            out.writeLong(ts.getMillisecond());
            out.writeInt(ts.getNanoOfMillisecond());
          }
          case BINARY, VARBINARY -> writeBytes(out, row.getBinary(pos));
          default -> throw new IllegalStateException("key column type not validated: " + types[i]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteBuffer.wrap(bytes.toByteArray());
  }

  /** The bucket of a key made by {@link #key}: in {@code [0, buckets)}. */
  int bucket(ByteBuffer key) {
    long h = 0xcbf29ce484222325L;
    for (int i = key.position(); i < key.limit(); i++) {
      h ^= key.get(i) & 0xff;
      h *= 0x100000001b3L;
    }
    // splitmix64's finalizer, so the low bits used by the modulo depend on every byte
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return (int) Long.remainderUnsigned(h, buckets);
  }

  int bucket(RowData row) {
    return bucket(key(row));
  }

  int buckets() {
    return buckets;
  }

  /** The directory of a bucket's data files, relative to the table root. */
  public static String directory(int bucket) {
    return String.format("bucket=%05d", bucket);
  }

  /** The bucket a data file belongs to, from its path, or -1 if it is in no bucket directory. */
  static int bucketOf(String path) {
    int end = path.lastIndexOf('/');
    int start = path.lastIndexOf('/', end - 1);
    String dir = end > 0 ? path.substring(start + 1, end) : "";
    if (!dir.matches("bucket=\\d{5}")) {
      return -1;
    }
    return Integer.parseInt(dir.substring("bucket=".length()));
  }

  private static int precision(LogicalType type) {
    return type instanceof org.apache.flink.table.types.logical.TimestampType t
        ? t.getPrecision()
        : ((org.apache.flink.table.types.logical.LocalZonedTimestampType) type).getPrecision();
  }

  private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
    out.writeInt(value.length);
    out.write(value);
  }
}
