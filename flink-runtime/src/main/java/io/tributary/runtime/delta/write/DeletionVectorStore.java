package io.tributary.runtime.delta.write;

import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.KernelInternals;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;
import java.util.zip.CRC32;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.roaringbitmap.RoaringBitmap;

/**
 * Reads and writes Delta deletion vectors in the protocol's format ("Deletion Vector Format" in
 * Delta's PROTOCOL.md), which Kernel 4.4 reads but cannot write.
 *
 * <p>A serialized DV is the magic number 1681511377 (4 bytes, little-endian) and a 64-bit {@code
 * RoaringBitmapArray} in its portable form: the number of 32-bit bitmaps (8 bytes, little-endian), then
 * per bitmap its key, the high 32 bits of its positions (4 bytes, little-endian), and the bitmap in the
 * standard portable Roaring format. A DV file {@code deletion_vector_<uuid>.bin} in the table root is
 * a version byte (1), then per DV its size (4 bytes, big-endian), the serialized DV and its CRC-32 (4
 * bytes, big-endian); a descriptor's offset points at the size. Positions are row indexes in the
 * Parquet file, counted from 0 over all row groups. Data files here never reach 2^31 rows, so
 * positions are held in one {@link RoaringBitmap} (key 0).
 */
public final class DeletionVectorStore {

  static final int MAGIC = 1681511377;
  private static final byte FILE_FORMAT_VERSION = 1;

  private DeletionVectorStore() {}

  /** The serialized DV (magic number and bitmap array) of these row positions. */
  public static byte[] serialize(RoaringBitmap positions) {
    positions.runOptimize();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(Integer.reverseBytes(MAGIC));
      boolean empty = positions.isEmpty();
      out.writeLong(Long.reverseBytes(empty ? 0 : 1));
      if (!empty) {
        out.writeInt(Integer.reverseBytes(0));
        positions.serialize(out); // the portable format, little-endian
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The row positions of a serialized DV. */
  static RoaringBitmap deserialize(byte[] data) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    int magic = buffer.getInt();
    if (magic != MAGIC) {
      throw new IOException("not a deletion vector: magic number " + magic + ", expected " + MAGIC);
    }
    long bitmaps = buffer.getLong();
    RoaringBitmap positions = new RoaringBitmap();
    for (long i = 0; i < bitmaps; i++) {
      int key = buffer.getInt();
      RoaringBitmap bitmap = new RoaringBitmap();
      bitmap.deserialize(buffer.slice().order(ByteOrder.LITTLE_ENDIAN));
      buffer.position(buffer.position() + bitmap.serializedSizeInBytes());
      if (bitmap.isEmpty()) {
        continue;
      }
      if (key != 0 || bitmap.last() < 0) {
        throw new IOException(
            "deletion vector holds row positions of 2^31 or more, which no data file"
                + " written here has (bitmap key "
                + key
                + ")");
      }
      positions.or(bitmap);
    }
    return positions;
  }

  /** The row positions deleted by {@code dv}, a DV of a data file of the table at {@code tableRoot}. */
  static RoaringBitmap read(DeltaDeletionVector dv, Path tableRoot, Configuration conf)
      throws IOException {
    if (dv == null || dv.cardinality() == 0) {
      return new RoaringBitmap();
    }
    if (dv.storageType().equals("i")) {
      return checked(
          dv,
          deserialize(
              KernelInternals.decodeInlineDeletionVector(dv.pathOrInlineDv(), dv.sizeInBytes())));
    }
    Path file = path(dv, tableRoot);
    try (FSDataInputStream in = file.getFileSystem(conf).open(file)) {
      in.seek(dv.offset());
      DataInputStream data = new DataInputStream(in);
      int size = data.readInt();
      if (size != dv.sizeInBytes()) {
        throw new IOException(
            "deletion vector in "
                + file
                + " at offset "
                + dv.offset()
                + " has "
                + size
                + " bytes, its descriptor says "
                + dv.sizeInBytes());
      }
      byte[] bytes = new byte[size];
      data.readFully(bytes);
      int checksum = data.readInt();
      if (checksum != crc(bytes)) {
        throw new IOException(
            "deletion vector in " + file + " at offset " + dv.offset() + " fails its checksum");
      }
      return checked(dv, deserialize(bytes));
    }
  }

  private static RoaringBitmap checked(DeltaDeletionVector dv, RoaringBitmap positions)
      throws IOException {
    if (positions.getLongCardinality() != dv.cardinality()) {
      throw new IOException(
          "deletion vector "
              + dv.uniqueId()
              + " holds "
              + positions.getLongCardinality()
              + " rows, its descriptor says "
              + dv.cardinality());
    }
    return positions;
  }

  /** The file a DV stored on disk is in. */
  public static Path path(DeltaDeletionVector dv, Path tableRoot) {
    return path(dv.storageType(), dv.pathOrInlineDv(), tableRoot);
  }

  /** The file a DV stored on disk is in, from the descriptor's {@code storageType} and {@code pathOrInlineDv}. */
  public static Path path(String storageType, String pathOrInlineDv, Path tableRoot) {
    return switch (storageType) {
      case "u" -> {
        String encoded = pathOrInlineDv;
        String prefix = encoded.substring(0, encoded.length() - 20);
        UUID uuid = KernelInternals.decodeUuid(encoded.substring(encoded.length() - 20));
        Path dir = prefix.isEmpty() ? tableRoot : new Path(tableRoot, prefix);
        yield new Path(dir, "deletion_vector_" + uuid + ".bin");
      }
      case "p" -> new Path(pathOrInlineDv);
      default ->
          throw new IllegalArgumentException(
              "deletion vector " + storageType + pathOrInlineDv + " is not on disk");
    };
  }

  private static int crc(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  /**
   * Writes the DVs of one writer's epoch into one new DV file in the table root. The file is written
   * whole by {@link #close}; descriptors handed out before are valid once it returned.
   */
  public static final class FileWriter implements AutoCloseable {
    private final Path tableRoot;
    private final Configuration conf;
    private final UUID uuid;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);
    private boolean written;

    public FileWriter(Path tableRoot, Configuration conf) {
      this(tableRoot, conf, UUID.randomUUID());
    }

    /** A writer whose file is named by {@code uuid} (a {@link WriterAttempt#newFileId()} in a job). */
    public FileWriter(Path tableRoot, Configuration conf, UUID uuid) {
      this.uuid = uuid;
      this.tableRoot = tableRoot;
      this.conf = conf;
      bytes.write(FILE_FORMAT_VERSION);
    }

    /** Adds the DV of these positions (not empty) and returns its descriptor. */
    public DeltaDeletionVector add(RoaringBitmap positions) {
      if (positions.isEmpty()) {
        throw new IllegalArgumentException("an empty deletion vector is no deletion vector");
      }
      byte[] data = serialize(positions);
      int offset = bytes.size();
      try {
        out.writeInt(data.length);
        out.write(data);
        out.writeInt(crc(data));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new DeltaDeletionVector(
          "u",
          KernelInternals.encodeUuid(uuid),
          offset,
          data.length,
          positions.getLongCardinality());
    }

    boolean isEmpty() {
      return bytes.size() == 1;
    }

    /** The DV file's path. */
    Path path() {
      return new Path(tableRoot, "deletion_vector_" + uuid + ".bin");
    }

    /** Writes the file if any DV was added. */
    @Override
    public void close() throws IOException {
      if (written || isEmpty()) {
        return;
      }
      written = true;
      Path path = path();
      FileSystem fs = path.getFileSystem(conf);
      try (FSDataOutputStream file = fs.create(path, false)) {
        file.write(bytes.toByteArray());
      }
    }
  }
}
