package io.tributary.runtime.delta;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One finished Parquet data file, as the writers hand it to the committer and the committer keeps it
 * in Flink state until its epoch is committed: enough to build the Delta {@code add} action.
 *
 * @param path absolute, fully qualified URI of the file (inside the table directory)
 * @param partitionValues partition column to its value serialized as the Delta protocol says
 *     ({@code null} for a null value); empty for an unpartitioned table
 * @param statsJson the file's column statistics as Kernel serializes them (numRecords, minValues,
 *     maxValues, nullCount), a JSON string as the protocol and Delta Standalone need
 * @param deletionVector the rows of the file deleted by a deletion vector (keyed tables that use
 *     them), or {@code null}: the table's logical file is the pair (path, deletion vector)
 */
public record DeltaDataFile(
    String path,
    long size,
    long modificationTime,
    long numRecords,
    Map<String, String> partitionValues,
    String statsJson,
    DeltaDeletionVector deletionVector)
    implements Serializable {

  private static final long serialVersionUID = 2L;

  public DeltaDataFile {
    partitionValues = Collections.unmodifiableMap(new LinkedHashMap<>(partitionValues));
  }

  /** A file without a deletion vector. */
  public DeltaDataFile(
      String path,
      long size,
      long modificationTime,
      long numRecords,
      Map<String, String> partitionValues,
      String statsJson) {
    this(path, size, modificationTime, numRecords, partitionValues, statsJson, null);
  }

  /** The same file with {@code dv} as its deletion vector ({@code null}: none). */
  public DeltaDataFile withDeletionVector(DeltaDeletionVector dv) {
    return new DeltaDataFile(
        path, size, modificationTime, numRecords, partitionValues, statsJson, dv);
  }

  public void writeTo(DataOutputStream out) throws IOException {
    writeString(out, path);
    out.writeLong(size);
    out.writeLong(modificationTime);
    out.writeLong(numRecords);
    writePartitionValues(out, partitionValues);
    writeString(out, statsJson);
    out.writeBoolean(deletionVector != null);
    if (deletionVector != null) {
      deletionVector.writeTo(out);
    }
  }

  /** Reads what {@link #writeTo} wrote. */
  public static DeltaDataFile readFrom(DataInputStream in) throws IOException {
    return readFrom(in, true);
  }

  /**
   * Reads a file description; {@code withDeletionVector} false for state written before deletion
   * vectors existed (no trailing deletion vector field).
   */
  public static DeltaDataFile readFrom(DataInputStream in, boolean withDeletionVector)
      throws IOException {
    String path = readString(in);
    long size = in.readLong();
    long modificationTime = in.readLong();
    long numRecords = in.readLong();
    Map<String, String> values = readPartitionValues(in);
    String stats = readString(in);
    DeltaDeletionVector dv =
        withDeletionVector && in.readBoolean() ? DeltaDeletionVector.readFrom(in) : null;
    return new DeltaDataFile(path, size, modificationTime, numRecords, values, stats, dv);
  }

  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static DeltaDataFile fromBytes(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return readFrom(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes partition values, null values included. */
  static void writePartitionValues(DataOutputStream out, Map<String, String> values)
      throws IOException {
    out.writeInt(values.size());
    for (Map.Entry<String, String> e : values.entrySet()) {
      writeString(out, e.getKey());
      out.writeBoolean(e.getValue() != null);
      if (e.getValue() != null) {
        writeString(out, e.getValue());
      }
    }
  }

  static Map<String, String> readPartitionValues(DataInputStream in) throws IOException {
    int partitions = in.readInt();
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < partitions; i++) {
      String key = readString(in);
      values.put(key, in.readBoolean() ? readString(in) : null);
    }
    return values;
  }

  public static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  public static String readString(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
