package io.tributary.runtime.delta.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.DeltaSource;
import io.tributary.runtime.delta.UpstreamDeltaTable;
import io.tributary.runtime.source.CaughtUpRegistry;
import io.tributary.runtime.source.EnumeratorContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.apache.flink.util.FlinkRuntimeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Delta stream's enumerator: which versions become which splits (appends read, compaction skipped,
 * change commits refused or skipped whole), where a stream starts, and that its position survives a
 * checkpoint, so the next update reads only new versions.
 */
class DeltaStreamEnumeratorTest {

  static final RowType TYPE =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .getLogicalType();

  @TempDir Path dir;

  private final String sourceId = "copy-" + UUID.randomUUID();
  private UpstreamDeltaTable upstream;

  @BeforeEach
  void table() {
    upstream = new UpstreamDeltaTable(dir.resolve("orders").toString(), TYPE);
  }

  private DeltaStreamEnumerator enumerator(
      DeltaSource spec,
      String updateId,
      EnumeratorContext<DeltaFileSplit> context,
      DeltaStreamSource.EnumeratorState state) {
    DeltaStreamSource source = DeltaStreamSource.triggered(spec, TYPE, updateId, sourceId);
    return (DeltaStreamEnumerator) source.restoreEnumerator(context, state);
  }

  @Test
  void startsWithTheLatestSnapshotThenReadsOnlyTheFilesLaterVersionsAddAndCompactionIsSkipped()
      throws Throwable {
    upstream.append(Row.of(1L, "a"));
    long v1 = upstream.append(Row.of(2L, "b"));

    EnumeratorContext<DeltaFileSplit> first = new EnumeratorContext<>(2);
    var enumerator =
        enumerator(
            DeltaSource.path(upstream.path()),
            "u1",
            first,
            DeltaStreamSource.EnumeratorState.INITIAL);
    enumerator.start();
    first.registerReaders(2);
    first.runNextOneTimeCallable();
    enumerator.handleSplitRequest(0, "localhost");
    enumerator.handleSplitRequest(1, "localhost");
    assertThat(first.assigned()).extracting(DeltaFileSplit::version).containsExactly(v1, v1);
    assertThat(CaughtUpRegistry.await("u1", sourceId)).isNotDone();
    enumerator.handleSplitRequest(0, "localhost");
    enumerator.handleSplitRequest(1, "localhost");
    assertThat(CaughtUpRegistry.await("u1", sourceId)).isCompleted();
    assertThat(first.caughtUp()).isEqualTo(1);
    DeltaStreamSource.EnumeratorState state = roundTrip(enumerator.snapshotState(1));
    assertThat(state).isEqualTo(new DeltaStreamSource.EnumeratorState("u1", v1 + 1, List.of()));

    long compacted = upstream.compact();
    long v3 = upstream.append(Row.of(3L, "c"));
    assertThat(compacted).isEqualTo(v1 + 1);
    EnumeratorContext<DeltaFileSplit> second = new EnumeratorContext<>(1);
    var next = enumerator(DeltaSource.path(upstream.path()), "u2", second, state);
    next.start();
    second.registerReaders(1);
    second.runNextOneTimeCallable();
    next.handleSplitRequest(0, "localhost");
    next.handleSplitRequest(0, "localhost");
    assertThat(second.assigned()).extracting(DeltaFileSplit::version).containsExactly(v3);
    assertThat(second.assigned().get(0).file()).endsWith(".parquet").doesNotContain("/");
    assertThat(CaughtUpRegistry.await("u2", sourceId)).isCompleted();
    assertThat(next.snapshotState(2).nextVersion()).isEqualTo(v3 + 1);
  }

  @Test
  void aChangeCommitFailsTheStreamNamingTableVersionAndFix() throws Throwable {
    upstream.append(Row.of(1L, "a"));
    long overwrite = upstream.overwrite(Row.of(9L, "z"));
    EnumeratorContext<DeltaFileSplit> context = new EnumeratorContext<>(1);
    var enumerator =
        enumerator(
            DeltaSource.path(upstream.path()).startingVersion(0),
            "u1",
            context,
            DeltaStreamSource.EnumeratorState.INITIAL);
    enumerator.start();
    context.registerReaders(1);

    assertThatThrownBy(context::runNextOneTimeCallable)
        .isInstanceOf(FlinkRuntimeException.class)
        .hasMessage(
            "Delta source '"
                + sourceId
                + "': version "
                + overwrite
                + " of table '"
                + upstream.path()
                + "' deletes or rewrites rows (an update, delete, merge or overwrite), which a stream of appends"
                + " cannot carry. To skip such commits whole and read only appended data, set"
                + " option(\"skipChangeCommits\", \"true\") on the DeltaSource; to take the change in, do a full"
                + " refresh of the tables reading it.");
  }

  @Test
  void skipChangeCommitsSkipsTheWholeCommitAndReadsTheAppendsAroundIt() throws Throwable {
    long v0 = upstream.append(Row.of(1L, "a"));
    upstream.overwrite(Row.of(9L, "z"));
    long v2 = upstream.append(Row.of(2L, "b"));
    EnumeratorContext<DeltaFileSplit> context = new EnumeratorContext<>(1);
    var enumerator =
        enumerator(
            DeltaSource.path(upstream.path())
                .startingVersion(0)
                .option("skipChangeCommits", "true"),
            "u1",
            context,
            DeltaStreamSource.EnumeratorState.INITIAL);
    enumerator.start();
    context.registerReaders(1);
    context.runNextOneTimeCallable();
    for (int i = 0; i < 3; i++) {
      enumerator.handleSplitRequest(0, "localhost");
    }
    assertThat(context.assigned()).extracting(DeltaFileSplit::version).containsExactly(v0, v2);
    assertThat(enumerator.snapshotState(1).nextVersion()).isEqualTo(v2 + 1);
  }

  @Test
  void startingVersionLatestReadsOnlyVersionsCommittedAfterTheStreamStarted() throws Throwable {
    long v0 = upstream.append(Row.of(1L, "a"));
    EnumeratorContext<DeltaFileSplit> context = new EnumeratorContext<>(1);
    var enumerator =
        enumerator(
            DeltaSource.path(upstream.path()).option("startingVersion", "latest"),
            "u1",
            context,
            DeltaStreamSource.EnumeratorState.INITIAL);
    enumerator.start();
    context.registerReaders(1);
    context.runNextOneTimeCallable();
    enumerator.handleSplitRequest(0, "localhost");
    assertThat(context.assigned()).isEmpty();
    assertThat(enumerator.snapshotState(1))
        .isEqualTo(new DeltaStreamSource.EnumeratorState("u1", v0 + 1, List.of()));
  }

  @Test
  void maxFilesPerTriggerAdmitsMoreFilesOnlyWhenACheckpointCompletes() throws Throwable {
    upstream.append(Row.of(1L, "a"));
    upstream.append(Row.of(2L, "b"));
    EnumeratorContext<DeltaFileSplit> context = new EnumeratorContext<>(1);
    var enumerator =
        enumerator(
            DeltaSource.path(upstream.path()).startingVersion(0).option("maxFilesPerTrigger", "1"),
            "u1",
            context,
            DeltaStreamSource.EnumeratorState.INITIAL);
    enumerator.start();
    context.registerReaders(1);
    context.runNextOneTimeCallable();
    enumerator.handleSplitRequest(0, "localhost");
    enumerator.handleSplitRequest(0, "localhost");
    assertThat(context.assigned()).hasSize(1);
    assertThat(roundTrip(enumerator.snapshotState(1)).pending()).hasSize(1);
    enumerator.notifyCheckpointComplete(1);
    assertThat(context.assigned()).hasSize(2);
  }

  @Test
  void aRestoreWithinTheSameUpdateDoesNotReadTheLogAgainAndKeepsItsPendingFiles() throws Throwable {
    upstream.append(Row.of(1L, "a"));
    DeltaFileSplit pending = new DeltaFileSplit(upstream.path(), 0, "part-x.parquet", 7);
    EnumeratorContext<DeltaFileSplit> context = new EnumeratorContext<>(1);
    var enumerator =
        enumerator(
            DeltaSource.path(upstream.path()),
            "u1",
            context,
            new DeltaStreamSource.EnumeratorState("u1", 1, List.of(pending)));
    enumerator.start();
    context.registerReaders(1);
    assertThat(context.getOneTimeCallables()).isEmpty();
    enumerator.handleSplitRequest(0, "localhost");
    assertThat(context.assigned()).containsExactly(pending);
  }

  @Test
  void aChangedColumnTypeIsAnErrorNamingColumnAndTypes() throws Throwable {
    RowType other =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.STRING()),
                    DataTypes.FIELD("name", DataTypes.STRING()))
                .getLogicalType();
    new UpstreamDeltaTable(upstream.path(), other).append(Row.of("1", "a"));
    EnumeratorContext<DeltaFileSplit> context = new EnumeratorContext<>(1);
    var enumerator =
        enumerator(
            DeltaSource.path(upstream.path()),
            "u1",
            context,
            DeltaStreamSource.EnumeratorState.INITIAL);
    enumerator.start();
    assertThatThrownBy(context::runNextOneTimeCallable)
        .hasMessage(
            "Table '"
                + upstream.path()
                + "': version 0 has"
                + " column 'id' of type STRING but the stream reads it as BIGINT. A stream cannot change a column's type:"
                + " do a full refresh of the tables reading it.");
  }

  @Test
  void continuousModePollsForNewVersionsAndDropsAReadThatStartedBeforeTheLastOneLanded()
      throws Throwable {
    long v0 = upstream.append(Row.of(1L, "a"));
    EnumeratorContext<DeltaFileSplit> context = new EnumeratorContext<>(1);
    DeltaStreamSource source =
        DeltaStreamSource.continuous(
            DeltaSource.path(upstream.path()).startingVersion(0),
            TYPE,
            "u1",
            sourceId,
            Duration.ofSeconds(1));
    var enumerator = (DeltaStreamEnumerator) source.createEnumerator(context);
    enumerator.start();
    context.registerReaders(1);
    assertThat(context.getPeriodicCallables()).hasSize(1);
    DeltaStreamEnumerator.LogRead stale = enumerator.readLog();
    context.runPeriodicCallable(0);
    long v1 = upstream.append(Row.of(2L, "b"));
    context.runPeriodicCallable(0);
    assertThat(enumerator.takeIn(stale))
        .isNull(); // began at version 0, which the first poll already read
    for (int i = 0; i < 3; i++) {
      enumerator.handleSplitRequest(0, "localhost");
    }
    assertThat(context.assigned()).extracting(DeltaFileSplit::version).containsExactly(v0, v1);
    assertThat(enumerator.snapshotState(1).nextVersion()).isEqualTo(v1 + 1);
  }

  private static DeltaStreamSource.EnumeratorState roundTrip(
      DeltaStreamSource.EnumeratorState state) throws Exception {
    var serializer = DeltaStreamSource.StateSerializer.INSTANCE;
    return serializer.deserialize(serializer.getVersion(), serializer.serialize(state));
  }
}
