package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoLoaderEnumeratorTest {

  @TempDir Path dir;

  private final String sourceId = "events-" + UUID.randomUUID();

  private AutoLoaderSource source(AutoLoader spec, String updateId, AutoLoaderSource.Mode mode) {
    RowType type =
        AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());
    return new AutoLoaderSource(spec, type, updateId, sourceId, mode, Duration.ofSeconds(1));
  }

  private AutoLoader spec() {
    return AutoLoader.json(dir.toString()).schema("a STRING");
  }

  @Test
  void triggeredListsOnceAssignsNewFilesAndReportsCaughtUp() throws Throwable {
    Files.write(dir, "a.json", "{}\n");
    Files.write(dir, "sub/deeper/b.json", "{}\n");
    Files.write(dir, "_temporary/c.json", "{}\n");
    Files.write(dir, "_SUCCESS", "");
    Files.write(dir, ".d.json.crc", "x");
    Files.write(dir, "sub/.e.json", "{}\n");
    Files.write(dir, "empty.json", "");
    EnumeratorContext<FileSourceSplit> context = new EnumeratorContext<>(2);
    var enumerator =
        source(spec(), "u1", AutoLoaderSource.Mode.TRIGGERED).createEnumerator(context);
    enumerator.start();
    context.registerReaders(2);

    context.runNextOneTimeCallable();
    enumerator.handleSplitRequest(0, "localhost");
    assertThat(context.caughtUp()).isZero();
    enumerator.handleSplitRequest(1, "localhost");
    assertThat(context.caughtUp()).isZero();
    assertThat(CaughtUpRegistry.await("u1", sourceId)).isNotDone();
    enumerator.handleSplitRequest(0, "localhost");
    assertThat(context.caughtUp()).isZero();
    enumerator.handleSplitRequest(1, "localhost");

    assertThat(assigned(context))
        .containsExactlyInAnyOrder(path("a.json"), path("sub/deeper/b.json"));
    assertThat(context.caughtUp()).isEqualTo(1);
    assertThat(CaughtUpRegistry.await("u1", sourceId)).isCompleted();
    AutoLoaderEnumeratorState state = enumerator.snapshotState(1);
    assertThat(state.listedUpdateId()).isEqualTo("u1");
    assertThat(state.processedFiles())
        .containsExactlyInAnyOrder(path("a.json"), path("sub/deeper/b.json"), path("empty.json"));
    assertThat(state.pendingSplits()).isEmpty();
    assertThat(context.getOneTimeCallables()).isEmpty();
  }

  @Test
  void aRestoreWithinTheSameUpdateDoesNotListAgainAndANewUpdateReadsOnlyNewFilesNotChangedOnes()
      throws Throwable {
    Files.write(dir, "a.json", "{}\n");
    Files.write(dir, "b.json", "{}\n");
    EnumeratorContext<FileSourceSplit> first = new EnumeratorContext<>(1);
    var enumerator = source(spec(), "u1", AutoLoaderSource.Mode.TRIGGERED).createEnumerator(first);
    enumerator.start();
    first.registerReaders(1);
    first.runNextOneTimeCallable();
    enumerator.handleSplitRequest(0, null);
    AutoLoaderEnumeratorState midUpdate = roundTrip(enumerator.snapshotState(1));
    assertThat(midUpdate.pendingSplits()).hasSize(1);
    Files.write(dir, "late.json", "{}\n");

    EnumeratorContext<FileSourceSplit> restored = new EnumeratorContext<>(1);
    var again =
        source(spec(), "u1", AutoLoaderSource.Mode.TRIGGERED)
            .restoreEnumerator(restored, midUpdate);
    again.start();
    restored.registerReaders(1);
    again.handleSplitRequest(0, null);
    again.handleSplitRequest(0, null);

    assertThat(restored.getOneTimeCallables()).isEmpty();
    assertThat(assigned(restored))
        .containsExactly(midUpdate.pendingSplits().get(0).path().toString());
    assertThat(restored.caughtUp()).isEqualTo(1);

    Files.write(dir, "a.json", "{}\n{\"changed\":true}\n");
    EnumeratorContext<FileSourceSplit> next = new EnumeratorContext<>(1);
    var nextUpdate =
        source(spec(), "u2", AutoLoaderSource.Mode.TRIGGERED)
            .restoreEnumerator(next, roundTrip(again.snapshotState(2)));
    nextUpdate.start();
    next.registerReaders(1);
    nextUpdate.handleSplitRequest(0, null);
    next.runNextOneTimeCallable();
    nextUpdate.handleSplitRequest(0, null);

    assertThat(assigned(next)).containsExactly(path("late.json"));
    assertThat(next.caughtUp()).isEqualTo(1);
  }

  @Test
  void pathGlobFilterAndNonRecursiveLookup() throws Throwable {
    Files.write(dir, "a.json", "{}\n");
    Files.write(dir, "b.txt", "{}\n");
    Files.write(dir, "sub/c.json", "{}\n");
    AutoLoader spec =
        spec().option("pathGlobFilter", "*.json").option("recursiveFileLookup", "false");
    EnumeratorContext<FileSourceSplit> context = new EnumeratorContext<>(1);
    var enumerator = source(spec, "u1", AutoLoaderSource.Mode.TRIGGERED).createEnumerator(context);
    enumerator.start();
    context.registerReaders(1);
    context.runNextOneTimeCallable();
    for (int i = 0; i < 3; i++) {
      enumerator.handleSplitRequest(0, null);
    }

    assertThat(assigned(context)).containsExactly(path("a.json"));
  }

  @Test
  void aMissingInputPathHasNoFilesAndIsCaughtUp() throws Throwable {
    AutoLoader spec = AutoLoader.json(dir.resolve("not-yet").toString()).schema("a STRING");
    EnumeratorContext<FileSourceSplit> context = new EnumeratorContext<>(1);
    var enumerator = source(spec, "u1", AutoLoaderSource.Mode.TRIGGERED).createEnumerator(context);
    enumerator.start();
    context.registerReaders(1);
    context.runNextOneTimeCallable();
    enumerator.handleSplitRequest(0, null);

    assertThat(assigned(context)).isEmpty();
    assertThat(context.caughtUp()).isEqualTo(1);
  }

  @Test
  void notCaughtUpUntilEveryReaderIsRegisteredAndWaiting() throws Throwable {
    EnumeratorContext<FileSourceSplit> context = new EnumeratorContext<>(2);
    var enumerator =
        source(spec(), "u1", AutoLoaderSource.Mode.TRIGGERED).createEnumerator(context);
    enumerator.start();
    context.runNextOneTimeCallable();
    context.registerReader(new ReaderInfo(0, "localhost"));
    enumerator.addReader(0);
    enumerator.handleSplitRequest(0, null);
    assertThat(context.caughtUp()).isZero();

    context.registerReader(new ReaderInfo(1, "localhost"));
    enumerator.addReader(1);
    assertThat(context.caughtUp()).isZero();
    enumerator.handleSplitRequest(1, null);
    assertThat(context.caughtUp()).isEqualTo(1);
  }

  @Test
  void splitsOfAFailedReaderGoBackFirstAndTheReaderIsNoLongerWaiting() throws Throwable {
    Files.write(dir, "a.json", "{}\n");
    java.io.File a = dir.resolve("a.json").toFile();
    a.setLastModified(1_000_000L);
    Files.write(dir, "b.json", "{}\n");
    EnumeratorContext<FileSourceSplit> context = new EnumeratorContext<>(2);
    var enumerator =
        source(spec(), "u1", AutoLoaderSource.Mode.TRIGGERED).createEnumerator(context);
    enumerator.start();
    context.registerReaders(2);
    context.runNextOneTimeCallable();
    enumerator.handleSplitRequest(0, null);
    FileSourceSplit first = context.getSplitsAssignmentSequence().get(0).assignment().get(0).get(0);
    assertThat(first.path().toString()).isEqualTo(path("a.json"));

    context.unregisterReader(0);
    enumerator.addSplitsBack(List.of(first), 0);
    context.registerReader(new ReaderInfo(0, "localhost"));
    enumerator.addReader(0);
    enumerator.handleSplitRequest(1, null);

    assertThat(assigned(context)).containsExactly(path("a.json"), path("a.json"));
    assertThat(context.caughtUp()).isZero();
  }

  @Test
  void continuousModeListsEveryIntervalAndNeverTakesAFileTwice() throws Throwable {
    Files.write(dir, "a.json", "{}\n");
    EnumeratorContext<FileSourceSplit> context = new EnumeratorContext<>(1);
    var enumerator =
        source(spec(), "u1", AutoLoaderSource.Mode.CONTINUOUS).createEnumerator(context);
    enumerator.start();
    context.registerReaders(1);
    enumerator.handleSplitRequest(0, null);
    context.runPeriodicCallable(0);
    enumerator.handleSplitRequest(0, null);
    Files.write(dir, "b.json", "{}\n");
    context.runPeriodicCallable(0);
    enumerator.handleSplitRequest(0, null);
    context.runPeriodicCallable(0);

    assertThat(assigned(context)).containsExactly(path("a.json"), path("b.json"));
    assertThat(context.getPeriodicCallables()).hasSize(1);
  }

  private static AutoLoaderEnumeratorState roundTrip(AutoLoaderEnumeratorState state)
      throws Exception {
    var serializer = AutoLoaderEnumeratorStateSerializer.INSTANCE;
    AutoLoaderEnumeratorState copy =
        serializer.deserialize(serializer.getVersion(), serializer.serialize(state));
    assertThat(copy.listedUpdateId()).isEqualTo(state.listedUpdateId());
    assertThat(copy.processedFiles()).isEqualTo(state.processedFiles());
    assertThat(copy.pendingSplits())
        .extracting(FileSourceSplit::splitId)
        .isEqualTo(state.pendingSplits().stream().map(FileSourceSplit::splitId).toList());
    return copy;
  }

  private String path(String relative) {
    return Files.flinkPath(dir.resolve(relative));
  }

  private static List<String> assigned(EnumeratorContext<FileSourceSplit> context) {
    return context.assigned().stream().map(split -> split.path().toString()).toList();
  }
}
