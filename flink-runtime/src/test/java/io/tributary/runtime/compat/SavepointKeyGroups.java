package io.tributary.runtime.compat;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.KeyedStateHandle;

/** Reads, from a savepoint on local disk, how each of its keyed state snapshots was written. */
final class SavepointKeyGroups {

  private SavepointKeyGroups() {}

  /**
   * For each keyed state snapshot of the savepoint in {@code directory}, whether its key groups are
   * compressed: the flag the keyed backend writes ahead of them, as a restore reads it.
   */
  static List<Boolean> compressed(Path directory) throws IOException {
    ClassLoader classLoader = SavepointKeyGroups.class.getClassLoader();
    CheckpointMetadata metadata;
    try (DataInputStream in =
        new DataInputStream(Files.newInputStream(directory.resolve("_metadata")))) {
      metadata = Checkpoints.loadCheckpointMetadata(in, classLoader, directory.toString());
    }
    List<Boolean> flags = new ArrayList<>();
    for (OperatorState operator : metadata.getOperatorStates()) {
      for (OperatorSubtaskState subtask : operator.getStates()) {
        for (KeyedStateHandle handle : subtask.getManagedKeyedState()) {
          if (handle instanceof KeyGroupsStateHandle keyGroups) {
            try (FSDataInputStream stream = keyGroups.openInputStream()) {
              KeyedBackendSerializationProxy<?> proxy =
                  new KeyedBackendSerializationProxy<>(classLoader);
              proxy.read(new DataInputViewStreamWrapper(stream));
              flags.add(proxy.isUsingKeyGroupCompression());
            }
          }
        }
      }
    }
    return flags;
  }
}
