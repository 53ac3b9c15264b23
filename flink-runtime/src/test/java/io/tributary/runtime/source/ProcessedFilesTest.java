package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class ProcessedFilesTest {

  private static final long NO_AGE = Long.MAX_VALUE;

  @Test
  void compactionKeepsEveryPathAndShrinksTheState() throws Exception {
    ProcessedFileIndex index = new ProcessedFileIndex(ProcessedFiles.empty(), NO_AGE);
    Set<String> paths = new HashSet<>();
    for (int i = 0; i < ProcessedFiles.COMPACT_AT; i++) {
      String path = String.format("file:/data/events/date=%03d/part-%07d.json", i / 1000, i);
      paths.add(path);
      index.add(path, 1_700_000_000_000L + i * 10L);
    }
    int plainBytes =
        serializedSize(
            new ProcessedFiles(Long.MIN_VALUE, 0, 0, new byte[0], index.snapshot().recent()));
    index.afterListing();

    ProcessedFiles compacted = roundTrip(index.snapshot());
    assertThat(compacted.recent()).isEmpty();
    assertThat(compacted.logCount()).isEqualTo(ProcessedFiles.COMPACT_AT);
    assertThat(compacted.paths()).isEqualTo(paths);
    assertThat(serializedSize(compacted)).isLessThan(plainBytes / 10);
    ProcessedFileIndex restored = new ProcessedFileIndex(compacted, NO_AGE);
    assertThat(restored.contains("file:/data/events/date=001/part-0001234.json", 0)).isTrue();
    assertThat(restored.contains("file:/data/events/date=001/part-0001234.json.gz", 0)).isFalse();
  }

  @Test
  void aLateFileWithAnOldModificationTimeIsNewAndAChangedFileIsNot() {
    ProcessedFileIndex index = new ProcessedFileIndex(ProcessedFiles.empty(), NO_AGE);
    index.add("file:/in/a.json", 5_000);
    index.compact();
    index.add("file:/in/b.json", 9_000);

    assertThat(index.contains("file:/in/old-but-late.json", 1_000)).isFalse();
    assertThat(index.contains("file:/in/a.json", 99_000)).isTrue();
    assertThat(index.contains("file:/in/b.json", 99_000)).isTrue();
  }

  @Test
  void maxFileAgeMovesTheLowWaterMarkAndForgetsOlderFiles() {
    ProcessedFileIndex index = new ProcessedFileIndex(ProcessedFiles.empty(), 1_000);
    index.add("file:/in/old.json", 1_000);
    index.add("file:/in/new.json", 10_000);
    index.afterListing();
    assertThat(index.expiredBefore()).isEqualTo(9_000);
    assertThat(index.expired(8_999)).isTrue();
    assertThat(index.expired(9_000)).isFalse();

    index.compact();
    assertThat(index.snapshot().paths()).containsExactly("file:/in/new.json");
  }

  @Test
  void aVersion1StateIsReadAndItsPathsStayProcessed() throws Exception {
    DataOutputSerializer v1 = new DataOutputSerializer(64);
    v1.writeUTF("u7");
    v1.writeInt(2);
    v1.writeUTF("file:/in/a.json");
    v1.writeUTF("file:/in/b.json");
    v1.writeInt(0);

    AutoLoaderEnumeratorState state =
        AutoLoaderEnumeratorStateSerializer.INSTANCE.deserialize(1, v1.getCopyOfBuffer());

    assertThat(state.listedUpdateId()).isEqualTo("u7");
    assertThat(state.processedFiles())
        .containsExactlyInAnyOrder("file:/in/a.json", "file:/in/b.json");
    assertThat(state.pendingSplits()).isEmpty();
    ProcessedFileIndex index = new ProcessedFileIndex(state.processed(), NO_AGE);
    assertThat(index.contains("file:/in/a.json", 4_000)).isTrue();
    assertThat(index.snapshot().recent())
        .containsEntry("file:/in/a.json", 4_000L)
        .containsEntry("file:/in/b.json", ProcessedFiles.UNKNOWN_TIME);
  }

  private static ProcessedFiles roundTrip(ProcessedFiles files) throws Exception {
    var serializer = AutoLoaderEnumeratorStateSerializer.INSTANCE;
    return serializer
        .deserialize(
            serializer.getVersion(),
            serializer.serialize(new AutoLoaderEnumeratorState("u", files, List.of())))
        .processed();
  }

  private static int serializedSize(ProcessedFiles files) throws Exception {
    return AutoLoaderEnumeratorStateSerializer.INSTANCE.serialize(
            new AutoLoaderEnumeratorState("u", files, List.of()))
        .length;
  }
}
