package io.tributary.runtime.delta.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.runtime.delta.DeltaDataFile;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committer's state bytes: today's format round-trips, and the formats before it still restore. */
class CommitterEpochsTest {

  private static DeltaDataFile file(String name) {
    return new DeltaDataFile(
        "s3://bucket/t/" + name, 100, 1_700_000_000_000L, 7, Map.of("p", "1"), "{}");
  }

  @Test
  void stateRestoresAsItWasSnapshotted() throws IOException {
    CommitterEpochs epochs = new CommitterEpochs();
    epochs.nextEpoch = 4;
    epochs.current.add(file("a"));
    epochs.currentRemoved.add(file("b"));
    epochs.closeEpoch(epochs.nextEpoch++, 11);
    epochs.current.add(file("c"));
    epochs.inputEnded = true;

    CommitterEpochs restored = new CommitterEpochs();
    restored.restore(epochs.toBytes());

    assertThat(restored.nextEpoch).isEqualTo(5);
    assertThat(restored.inputEnded).isTrue();
    assertThat(restored.current).containsExactly(file("c"));
    assertThat(restored.currentRemoved).isEmpty();
    assertThat(restored.pending).containsOnlyKeys(4L);
    assertThat(restored.pending.get(4L))
        .isEqualTo(new CommitterEpochs.Pending(11, List.of(file("a")), List.of(file("b"))));
  }

  @Test
  void whenEachPendingEpochClosedRestoresWithItForItsCommitLatency() throws IOException {
    CommitterEpochs epochs = new CommitterEpochs();
    epochs.current.add(file("a"));
    epochs.closeEpoch(epochs.nextEpoch++, 11, 1_700_000_000_123L);
    epochs.current.add(file("b"));
    epochs.closeEpoch(epochs.nextEpoch++, 12, 1_700_000_000_456L);
    epochs.pending.remove(1L);
    epochs.forget(1L);

    CommitterEpochs restored = new CommitterEpochs();
    restored.restore(epochs.toBytes());

    assertThat(restored.pending).containsOnlyKeys(2L);
    assertThat(restored.closedMillis).containsExactly(Map.entry(2L, 1_700_000_000_456L));
  }

  @Test
  void stateOfFormatOneWithoutRemovedFilesOrDeletionVectorsStillRestores() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(1);
      out.writeLong(3);
      out.writeBoolean(false);
      out.writeInt(1);
      out.write(withoutDeletionVector(file("x")));
      out.writeInt(1);
      out.writeLong(2);
      out.writeLong(9);
      out.writeInt(1);
      out.write(withoutDeletionVector(file("y")));
    }
    CommitterEpochs restored = new CommitterEpochs();
    restored.restore(bytes.toByteArray());

    assertThat(restored.nextEpoch).isEqualTo(3);
    assertThat(restored.current).containsExactly(file("x"));
    assertThat(restored.pending.get(2L))
        .isEqualTo(new CommitterEpochs.Pending(9, List.of(file("y"))));
  }

  @Test
  void aFormatFromANewerBuildIsRefused() {
    byte[] future = {0, 0, 0, (byte) (CommitterEpochs.FORMAT + 1)};
    assertThatThrownBy(() -> new CommitterEpochs().restore(future))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Unknown Delta committer state format " + (CommitterEpochs.FORMAT + 1));
  }

  /** The file as formats 1 and 2 stored it: without the trailing "has a deletion vector" flag. */
  private static byte[] withoutDeletionVector(DeltaDataFile file) {
    byte[] bytes = file.toBytes();
    assertThat(bytes[bytes.length - 1]).isZero();
    return Arrays.copyOf(bytes, bytes.length - 1);
  }
}
