package io.tributary.runtime.delta.read;

import io.tributary.runtime.delta.DeltaAddFile;
import io.tributary.runtime.delta.DeltaDataFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * One data file of one version of a Delta table, read by {@link DeltaSnapshotSource} and
 * {@link DeltaStreamSource}. A reader's checkpoint keeps how many rows of the file it has emitted, so a
 * restore resumes after them.
 *
 * <p>A split of the stream carries the file's {@code add} action ({@link DeltaAddFile}) and the version
 * whose metadata (schema, partition columns) it is read with, so its reader loads one snapshot of that
 * version (its protocol and metadata only) per schema, not a scan of every file of every version it
 * reads. A split without them (the snapshot source's, or one checkpointed in format 1) is read by
 * scanning its version.
 *
 * @param file the data file as the scan names it (absolute) or as the log writes it; the split's id
 * @param schemaVersion the version whose metadata the file is read with (the last version at or before
 *     {@code version} that changed the metadata, or the first version the stream read); {@code version}
 *     when {@code add} is null
 * @param add the file's add action, or null: find it by scanning {@code version}
 */
public record DeltaFileSplit(
    String tablePath,
    long version,
    String file,
    long recordsToSkip,
    long schemaVersion,
    @Nullable DeltaAddFile add)
    implements SourceSplit {

  /** A split found by scanning its version. */
  public DeltaFileSplit(String tablePath, long version, String file, long recordsToSkip) {
    this(tablePath, version, file, recordsToSkip, version, null);
  }

  @Override
  public String splitId() {
    return file;
  }

  DeltaFileSplit skipping(long records) {
    return new DeltaFileSplit(tablePath, version, file, records, schemaVersion, add);
  }

  /**
   * Serializes splits for checkpoints and for sending them to readers. Format 2 adds the schema version
   * and the add action; format 1 (without them) is still read.
   */
  static final class Serializer implements SimpleVersionedSerializer<DeltaFileSplit> {
    static final Serializer INSTANCE = new Serializer();
    static final int FORMAT = 2;

    @Override
    public int getVersion() {
      return FORMAT;
    }

    @Override
    public byte[] serialize(DeltaFileSplit split) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        write(out, split, FORMAT);
      }
      return bytes.toByteArray();
    }

    @Override
    public DeltaFileSplit deserialize(int version, byte[] serialized) throws IOException {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
        return read(in, version);
      }
    }

    /** Writes a split in format 1 (the snapshot source's state), which has no add action. */
    static void write(DataOutputStream out, DeltaFileSplit split) throws IOException {
      write(out, split, 1);
    }

    static DeltaFileSplit read(DataInputStream in) throws IOException {
      return read(in, 1);
    }

    static void write(DataOutputStream out, DeltaFileSplit split, int format) throws IOException {
      if (format == 1 && split.add() != null) {
        throw new IllegalStateException(
            "Delta split format 1 cannot hold the add action of " + split.file());
      }
      DeltaDataFile.writeString(out, split.tablePath());
      out.writeLong(split.version());
      DeltaDataFile.writeString(out, split.file());
      out.writeLong(split.recordsToSkip());
      if (format >= 2) {
        out.writeLong(split.schemaVersion());
        out.writeBoolean(split.add() != null);
        if (split.add() != null) {
          split.add().writeTo(out);
        }
      }
    }

    static DeltaFileSplit read(DataInputStream in, int format) throws IOException {
      if (format != 1 && format != 2) {
        throw new IOException("Unknown Delta split format " + format);
      }
      String tablePath = DeltaDataFile.readString(in);
      long version = in.readLong();
      String file = DeltaDataFile.readString(in);
      long recordsToSkip = in.readLong();
      if (format == 1) {
        return new DeltaFileSplit(tablePath, version, file, recordsToSkip);
      }
      long schemaVersion = in.readLong();
      DeltaAddFile add = in.readBoolean() ? DeltaAddFile.readFrom(in) : null;
      return new DeltaFileSplit(tablePath, version, file, recordsToSkip, schemaVersion, add);
    }
  }
}
