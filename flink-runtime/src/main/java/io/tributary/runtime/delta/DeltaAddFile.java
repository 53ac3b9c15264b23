package io.tributary.runtime.delta;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * What reading one data file of a Delta table needs from its {@code add} action, so a split can carry
 * it and a reader need not replay the log to find it (Kernel builds the scan file row of it, see
 * {@link KernelInternals#scanFileRow}).
 *
 * @param path the file's path as the log writes it (relative to the table root, URL-encoded, or an
 *     absolute URI)
 * @param partitionValues partition column to its value serialized as the protocol says ({@code null}
 *     for a null value); empty for an unpartitioned table
 * @param deletionVector the file's deletion vector, or {@code null}
 */
public record DeltaAddFile(
    String path,
    long size,
    long modificationTime,
    Map<String, String> partitionValues,
    @Nullable DeltaDeletionVector deletionVector) {

  public DeltaAddFile {
    Objects.requireNonNull(path, "path");
    partitionValues = Collections.unmodifiableMap(new LinkedHashMap<>(partitionValues));
  }

  public void writeTo(DataOutputStream out) throws IOException {
    DeltaDataFile.writeString(out, path);
    out.writeLong(size);
    out.writeLong(modificationTime);
    DeltaDataFile.writePartitionValues(out, partitionValues);
    out.writeBoolean(deletionVector != null);
    if (deletionVector != null) {
      deletionVector.writeTo(out);
    }
  }

  public static DeltaAddFile readFrom(DataInputStream in) throws IOException {
    String path = DeltaDataFile.readString(in);
    long size = in.readLong();
    long modificationTime = in.readLong();
    Map<String, String> values = DeltaDataFile.readPartitionValues(in);
    DeltaDeletionVector dv = in.readBoolean() ? DeltaDeletionVector.readFrom(in) : null;
    return new DeltaAddFile(path, size, modificationTime, values, dv);
  }
}
