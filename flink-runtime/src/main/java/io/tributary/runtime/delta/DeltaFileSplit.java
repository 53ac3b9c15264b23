package io.tributary.runtime.delta;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * One data file of one version of a Delta table, read by {@link DeltaSnapshotSource}. A reader's
 * checkpoint keeps how many rows of the file it has emitted, so a restore resumes after them.
 *
 * @param file the absolute path of the data file, as Kernel's scan names it
 */
public record DeltaFileSplit(String tablePath, long version, String file, long recordsToSkip)
    implements SourceSplit {

  @Override
  public String splitId() {
    return file;
  }

  DeltaFileSplit skipping(long records) {
    return new DeltaFileSplit(tablePath, version, file, records);
  }

  /** Serializes splits for checkpoints and for sending them to readers. */
  static final class Serializer implements SimpleVersionedSerializer<DeltaFileSplit> {
    static final Serializer INSTANCE = new Serializer();

    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(DeltaFileSplit split) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        write(out, split);
      }
      return bytes.toByteArray();
    }

    @Override
    public DeltaFileSplit deserialize(int version, byte[] serialized) throws IOException {
      if (version != 1) {
        throw new IOException("Unknown Delta split format " + version);
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
        return read(in);
      }
    }

    static void write(DataOutputStream out, DeltaFileSplit split) throws IOException {
      DeltaDataFile.writeString(out, split.tablePath());
      out.writeLong(split.version());
      DeltaDataFile.writeString(out, split.file());
      out.writeLong(split.recordsToSkip());
    }

    static DeltaFileSplit read(DataInputStream in) throws IOException {
      return new DeltaFileSplit(DeltaDataFile.readString(in), in.readLong(), DeltaDataFile.readString(in),
          in.readLong());
    }
  }
}
