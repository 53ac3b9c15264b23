package io.tributary.runtime.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.FileSourceSplitSerializer;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Writes {@link AutoLoaderEnumeratorState} into checkpoints and savepoints. Version 1 layout: listed
 * update id, the processed paths, then each pending split with Flink's own split serializer (its
 * version first). A new layout gets a new version and keeps reading version 1, because savepoints
 * outlive releases.
 */
public final class AutoLoaderEnumeratorStateSerializer implements SimpleVersionedSerializer<AutoLoaderEnumeratorState> {

  public static final AutoLoaderEnumeratorStateSerializer INSTANCE = new AutoLoaderEnumeratorStateSerializer();

  private static final int VERSION = 1;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(AutoLoaderEnumeratorState state) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256 + state.processedFiles().size() * 64);
    out.writeUTF(state.listedUpdateId());
    out.writeInt(state.processedFiles().size());
    for (String path : state.processedFiles()) {
      out.writeUTF(path);
    }
    FileSourceSplitSerializer splits = FileSourceSplitSerializer.INSTANCE;
    out.writeInt(state.pendingSplits().size());
    for (FileSourceSplit split : state.pendingSplits()) {
      byte[] bytes = splits.serialize(split);
      out.writeInt(splits.getVersion());
      out.writeInt(bytes.length);
      out.write(bytes);
    }
    return out.getCopyOfBuffer();
  }

  @Override
  public AutoLoaderEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION) {
      throw new IOException("Auto Loader enumerator state version " + version + " is not known to this release "
          + "(it reads version " + VERSION + "): the savepoint was written by a newer Tributary.");
    }
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    String listedUpdateId = in.readUTF();
    int files = in.readInt();
    Set<String> processed = new HashSet<>(Math.max(16, files * 2));
    for (int i = 0; i < files; i++) {
      processed.add(in.readUTF());
    }
    int pending = in.readInt();
    List<FileSourceSplit> splits = new ArrayList<>(pending);
    for (int i = 0; i < pending; i++) {
      int splitVersion = in.readInt();
      byte[] bytes = new byte[in.readInt()];
      in.readFully(bytes);
      splits.add(FileSourceSplitSerializer.INSTANCE.deserialize(splitVersion, bytes));
    }
    return new AutoLoaderEnumeratorState(listedUpdateId, processed, splits);
  }
}
