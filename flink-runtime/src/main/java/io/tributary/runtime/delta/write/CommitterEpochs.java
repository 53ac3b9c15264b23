package io.tributary.runtime.delta.write;

import io.tributary.runtime.delta.DeltaDataFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link DeltaCommitterOperator} keeps in operator state, and its byte format: the next epoch
 * number, whether the input ended, the files received since the last checkpoint, and the epochs
 * waiting for their checkpoint to complete. The state is one {@code byte[]}, so no class name here
 * reaches a savepoint; {@link #FORMAT} versions the bytes, and every older format still restores.
 */
final class CommitterEpochs {

  /**
   * 1: files only; 2: also the files each pending epoch removes (keyed tables); 3: each file with
   * its deletion vector; 4: also when each pending epoch closed.
   */
  static final int FORMAT = 4;

  /** An epoch waiting for its checkpoint: the files it adds and (keyed tables) those it removes. */
  record Pending(long checkpointId, List<DeltaDataFile> files, List<DeltaDataFile> removed) {
    Pending(long checkpointId, List<DeltaDataFile> files) {
      this(checkpointId, files, List.of());
    }
  }

  long nextEpoch = 1;
  boolean inputEnded;
  List<DeltaDataFile> current = new ArrayList<>();

  /** Upsert mode: the files the bucket rewrites received since the last checkpoint replace. */
  List<DeltaDataFile> currentRemoved = new ArrayList<>();

  /** Epoch number to its checkpoint id and files, committed when that checkpoint completes. */
  final TreeMap<Long, Pending> pending = new TreeMap<>();

  /**
   * Epoch number to the wall-clock time (ms) its checkpoint was triggered: when its data was ready,
   * from which a commit's latency counts. Absent for epochs restored from a format before 4.
   */
  final TreeMap<Long, Long> closedMillis = new TreeMap<>();

  /** Makes the files received since the last checkpoint epoch {@code epoch} of {@code checkpointId}. */
  void closeEpoch(long epoch, long checkpointId) {
    pending.put(
        epoch, new Pending(checkpointId, List.copyOf(current), List.copyOf(currentRemoved)));
    current = new ArrayList<>();
    currentRemoved = new ArrayList<>();
  }

  /** As {@link #closeEpoch(long, long)}, the epoch closed at {@code millis} (the checkpoint's trigger). */
  void closeEpoch(long epoch, long checkpointId, long millis) {
    closeEpoch(epoch, checkpointId);
    closedMillis.put(epoch, millis);
  }

  /** Forgets epoch {@code epoch}'s closing time once it is committed (or skipped). */
  void forget(long epoch) {
    closedMillis.remove(epoch);
  }

  byte[] toBytes() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT);
      out.writeLong(nextEpoch);
      out.writeBoolean(inputEnded);
      writeFiles(out, current);
      writeFiles(out, currentRemoved);
      out.writeInt(pending.size());
      for (Map.Entry<Long, Pending> epoch : pending.entrySet()) {
        out.writeLong(epoch.getKey());
        out.writeLong(epoch.getValue().checkpointId());
        writeFiles(out, epoch.getValue().files());
        writeFiles(out, epoch.getValue().removed());
      }
      Map<Long, Long> closed = new TreeMap<>(closedMillis);
      closed.keySet().retainAll(pending.keySet());
      out.writeInt(closed.size());
      for (Map.Entry<Long, Long> epoch : closed.entrySet()) {
        out.writeLong(epoch.getKey());
        out.writeLong(epoch.getValue());
      }
    }
    return bytes.toByteArray();
  }

  /** Adds the state in {@code bytes} (one entry of the operator's list state) to this. */
  void restore(byte[] bytes) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readInt();
      if (format < 1 || format > FORMAT) {
        throw new IllegalStateException("Unknown Delta committer state format " + format);
      }
      nextEpoch = Math.max(nextEpoch, in.readLong());
      inputEnded |= in.readBoolean();
      boolean dvs = format >= 3;
      current.addAll(readFiles(in, dvs));
      if (format >= 2) {
        currentRemoved.addAll(readFiles(in, dvs));
      }
      int epochs = in.readInt();
      for (int i = 0; i < epochs; i++) {
        long epoch = in.readLong();
        long checkpointId = in.readLong();
        List<DeltaDataFile> files = readFiles(in, dvs);
        pending.put(
            epoch, new Pending(checkpointId, files, format >= 2 ? readFiles(in, dvs) : List.of()));
      }
      if (format >= 4) {
        int closed = in.readInt();
        for (int i = 0; i < closed; i++) {
          closedMillis.put(in.readLong(), in.readLong());
        }
      }
    }
  }

  private static void writeFiles(DataOutputStream out, List<DeltaDataFile> files)
      throws IOException {
    out.writeInt(files.size());
    for (DeltaDataFile file : files) {
      file.writeTo(out);
    }
  }

  private static List<DeltaDataFile> readFiles(DataInputStream in, boolean withDeletionVectors)
      throws IOException {
    int n = in.readInt();
    List<DeltaDataFile> files = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      files.add(DeltaDataFile.readFrom(in, withDeletionVectors));
    }
    return files;
  }
}
