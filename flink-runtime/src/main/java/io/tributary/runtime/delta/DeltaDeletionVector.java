package io.tributary.runtime.delta;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;

/**
 * A Delta deletion vector descriptor (the protocol's {@code deletionVector} field of an {@code add} or
 * {@code remove}): where the bitmap of a data file's deleted row positions is stored and how many
 * rows it deletes.
 *
 * @param storageType {@code u} (a file beside the data, named by a base85-encoded UUID), {@code p}
 *     (an absolute path) or {@code i} (inline, base85 in the log)
 * @param pathOrInlineDv the encoded UUID (with an optional random prefix), the path, or the inline data
 * @param offset where the DV starts in its file (the 4-byte size before the data); -1 when inline
 * @param sizeInBytes the size of the serialized bitmap (magic number included)
 * @param cardinality the number of deleted rows
 */
public record DeltaDeletionVector(
    String storageType, String pathOrInlineDv, int offset, int sizeInBytes, long cardinality)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * The protocol's identity of a DV ({@code storageType + pathOrInlineDv [+ "@" + offset]}): a data
   * file plus this id is one logical file of the table.
   */
  public String uniqueId() {
    return offset < 0 ? storageType + pathOrInlineDv : storageType + pathOrInlineDv + "@" + offset;
  }

  void writeTo(DataOutputStream out) throws IOException {
    DeltaDataFile.writeString(out, storageType);
    DeltaDataFile.writeString(out, pathOrInlineDv);
    out.writeInt(offset);
    out.writeInt(sizeInBytes);
    out.writeLong(cardinality);
  }

  static DeltaDeletionVector readFrom(DataInputStream in) throws IOException {
    return new DeltaDeletionVector(
        DeltaDataFile.readString(in),
        DeltaDataFile.readString(in),
        in.readInt(),
        in.readInt(),
        in.readLong());
  }

  /** The unique id of a file's DV, or the empty string for a file without one. */
  public static String idOf(DeltaDeletionVector dv) {
    return dv == null ? "" : dv.uniqueId();
  }
}
