package io.tributary.runtime.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.FileSourceSplitSerializer;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Writes {@link AutoLoaderEnumeratorState} into checkpoints and savepoints, and reads every layout an
 * earlier release wrote, because savepoints outlive releases.
 *
 * <ul>
 *   <li>Version 2 (written): listed update id; the {@link ProcessedFiles}: low-water mark, newest
 *       modification time, the compacted log (count, length, bytes), the recent files (path and
 *       modification time each); then the pending splits.
 *   <li>Version 1 (read): listed update id, every processed path, the pending splits. Its paths become
 *       recent files of unknown modification time, compacted like any others.
 * </ul>
 *
 * Each pending split is written with Flink's own split serializer, its version first.
 */
public final class AutoLoaderEnumeratorStateSerializer
    implements SimpleVersionedSerializer<AutoLoaderEnumeratorState> {

  public static final AutoLoaderEnumeratorStateSerializer INSTANCE =
      new AutoLoaderEnumeratorStateSerializer();

  private static final int VERSION = 2;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(AutoLoaderEnumeratorState state) throws IOException {
    ProcessedFiles processed = state.processed();
    DataOutputSerializer out =
        new DataOutputSerializer(256 + processed.log().length + processed.recent().size() * 72);
    out.writeUTF(state.listedUpdateId());
    out.writeLong(processed.expiredBefore());
    out.writeLong(processed.newestModificationTime());
    out.writeInt(processed.logCount());
    out.writeInt(processed.log().length);
    out.write(processed.log());
    out.writeInt(processed.recent().size());
    for (Map.Entry<String, Long> file : processed.recent().entrySet()) {
      out.writeUTF(file.getKey());
      out.writeLong(file.getValue());
    }
    writeSplits(out, state.pendingSplits());
    return out.getCopyOfBuffer();
  }

  @Override
  public AutoLoaderEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    if (version == 1) {
      String listedUpdateId = in.readUTF();
      int files = in.readInt();
      Set<String> processed = new HashSet<>(Math.max(16, files * 2));
      for (int i = 0; i < files; i++) {
        processed.add(in.readUTF());
      }
      return new AutoLoaderEnumeratorState(
          listedUpdateId, ProcessedFiles.ofPaths(processed), readSplits(in));
    }
    if (version != VERSION) {
      throw new IOException(
          "Auto Loader enumerator state version "
              + version
              + " is not known to this release "
              + "(it reads versions 1 to "
              + VERSION
              + "): the savepoint was written by a newer Tributary.");
    }
    String listedUpdateId = in.readUTF();
    long expiredBefore = in.readLong();
    long newest = in.readLong();
    int logCount = in.readInt();
    byte[] log = new byte[in.readInt()];
    in.readFully(log);
    int recentCount = in.readInt();
    Map<String, Long> recent = new HashMap<>(Math.max(16, recentCount * 2));
    for (int i = 0; i < recentCount; i++) {
      recent.put(in.readUTF(), in.readLong());
    }
    return new AutoLoaderEnumeratorState(
        listedUpdateId,
        new ProcessedFiles(expiredBefore, newest, logCount, log, recent),
        readSplits(in));
  }

  private static void writeSplits(DataOutputSerializer out, List<FileSourceSplit> pending)
      throws IOException {
    FileSourceSplitSerializer splits = FileSourceSplitSerializer.INSTANCE;
    out.writeInt(pending.size());
    for (FileSourceSplit split : pending) {
      byte[] bytes = splits.serialize(split);
      out.writeInt(splits.getVersion());
      out.writeInt(bytes.length);
      out.write(bytes);
    }
  }

  private static List<FileSourceSplit> readSplits(DataInputDeserializer in) throws IOException {
    int pending = in.readInt();
    List<FileSourceSplit> splits = new ArrayList<>(pending);
    for (int i = 0; i < pending; i++) {
      int splitVersion = in.readInt();
      byte[] bytes = new byte[in.readInt()];
      in.readFully(bytes);
      splits.add(FileSourceSplitSerializer.INSTANCE.deserialize(splitVersion, bytes));
    }
    return splits;
  }
}
