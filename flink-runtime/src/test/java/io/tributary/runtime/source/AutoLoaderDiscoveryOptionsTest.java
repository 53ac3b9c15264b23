package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoLoaderDiscoveryOptionsTest {

  @TempDir Path dir;

  private final String sourceId = "opts-" + UUID.randomUUID();

  private SplitEnumerator<FileSourceSplit, AutoLoaderEnumeratorState> enumerator(
      AutoLoader spec,
      String updateId,
      EnumeratorContext<FileSourceSplit> context,
      AutoLoaderEnumeratorState state) {
    RowType type =
        AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());
    AutoLoaderSource source = AutoLoaderSource.triggered(spec, type, updateId, sourceId);
    return state == null
        ? source.createEnumerator(context)
        : source.restoreEnumerator(context, state);
  }

  private AutoLoader spec() {
    return AutoLoader.json(dir.toString()).schema("a STRING");
  }

  private void files(int count) {
    for (int i = 0; i < count; i++) {
      Files.write(dir, "f" + i + ".json", "{}\n").toFile().setLastModified(1_000_000L + i * 1000L);
    }
  }

  @Test
  void maxFilesPerTriggerAdmitsThatManyPerEpochAndTheUpdateStillReadsEverything() throws Throwable {
    files(5);
    EnumeratorContext<FileSourceSplit> context = new EnumeratorContext<>(1);
    var enumerator =
        enumerator(spec().option("cloudFiles.maxFilesPerTrigger", "2"), "u1", context, null);
    enumerator.start();
    context.registerReaders(1);
    context.runNextOneTimeCallable();
    for (int i = 0; i < 3; i++) {
      enumerator.handleSplitRequest(0, null);
    }
    assertThat(assigned(context)).hasSize(2);
    assertThat(context.caughtUp()).isZero();

    enumerator.notifyCheckpointComplete(1);
    enumerator.handleSplitRequest(0, null);
    enumerator.handleSplitRequest(0, null);
    assertThat(assigned(context)).hasSize(4);
    enumerator.notifyCheckpointComplete(2);
    enumerator.handleSplitRequest(0, null);

    assertThat(assigned(context))
        .containsExactly(
            path("f0.json"), path("f1.json"), path("f2.json"), path("f3.json"), path("f4.json"));
    assertThat(context.caughtUp()).isEqualTo(1);
  }

  @Test
  void maxBytesPerTriggerIsASoftLimitThatAlwaysAdmitsOneFile() throws Throwable {
    files(3); // 3 bytes each
    Files.write(dir, "big.json", "{\"a\":\"0123456789\"}\n").toFile().setLastModified(999_000L);
    EnumeratorContext<FileSourceSplit> context = new EnumeratorContext<>(1);
    var enumerator = enumerator(spec().option("maxBytesPerTrigger", "7"), "u1", context, null);
    enumerator.start();
    context.registerReaders(1);
    context.runNextOneTimeCallable();
    enumerator.handleSplitRequest(0, null);
    enumerator.handleSplitRequest(0, null);
    assertThat(assigned(context)).containsExactly(path("big.json"));

    enumerator.notifyCheckpointComplete(1);
    enumerator.handleSplitRequest(0, null);
    enumerator.handleSplitRequest(0, null);
    assertThat(assigned(context))
        .containsExactly(path("big.json"), path("f0.json"), path("f1.json"));
    enumerator.notifyCheckpointComplete(2);
    enumerator.handleSplitRequest(0, null);
    assertThat(assigned(context)).hasSize(4);
    assertThat(context.caughtUp()).isEqualTo(1);
  }

  @Test
  void withoutIncludeExistingFilesOnlyFilesArrivingAfterTheFirstListingAreRead() throws Throwable {
    files(2);
    AutoLoader spec = spec().option("includeExistingFiles", "false");
    EnumeratorContext<FileSourceSplit> first = new EnumeratorContext<>(1);
    var enumerator = enumerator(spec, "u1", first, null);
    enumerator.start();
    first.registerReaders(1);
    first.runNextOneTimeCallable();
    enumerator.handleSplitRequest(0, null);
    assertThat(assigned(first)).isEmpty();
    assertThat(first.caughtUp()).isEqualTo(1);
    AutoLoaderEnumeratorState state = enumerator.snapshotState(1);
    assertThat(state.processedFiles()).containsExactlyInAnyOrder(path("f0.json"), path("f1.json"));

    Files.write(dir, "later.json", "{}\n");
    EnumeratorContext<FileSourceSplit> next = new EnumeratorContext<>(1);
    var second = enumerator(spec, "u2", next, state);
    second.start();
    next.registerReaders(1);
    next.runNextOneTimeCallable();
    second.handleSplitRequest(0, null);
    assertThat(assigned(next)).containsExactly(path("later.json"));
  }

  @Test
  void modifiedAfterIgnoresOlderFilesWithoutRememberingThem() throws Throwable {
    Files.write(dir, "old.json", "{}\n")
        .toFile()
        .setLastModified(1_577_836_800_000L); // 2020-01-01T00:00:00Z
    Files.write(dir, "new.json", "{}\n").toFile().setLastModified(1_577_836_800_001L);
    EnumeratorContext<FileSourceSplit> context = new EnumeratorContext<>(1);
    var enumerator =
        enumerator(spec().option("modifiedAfter", "2020-01-01 00:00:00"), "u1", context, null);
    enumerator.start();
    context.registerReaders(1);
    context.runNextOneTimeCallable();
    enumerator.handleSplitRequest(0, null);
    enumerator.handleSplitRequest(0, null);

    assertThat(assigned(context)).containsExactly(path("new.json"));
    assertThat(enumerator.snapshotState(1).processedFiles()).containsExactly(path("new.json"));
  }

  @Test
  void aFileOlderThanMaxFileAgeIsNotReadAndAnOldLateFileWithinItIs() throws Throwable {
    files(2); // modified at 1,000,000 and 1,001,000
    AutoLoader spec = spec().option("maxFileAge", "10 s");
    EnumeratorContext<FileSourceSplit> first = new EnumeratorContext<>(1);
    var enumerator = enumerator(spec, "u1", first, null);
    enumerator.start();
    first.registerReaders(1);
    first.runNextOneTimeCallable();
    enumerator.handleSplitRequest(0, null);
    enumerator.handleSplitRequest(0, null);
    enumerator.handleSplitRequest(0, null);
    assertThat(assigned(first)).hasSize(2);

    Files.write(dir, "too-old.json", "{}\n").toFile().setLastModified(990_999L);
    Files.write(dir, "late-but-young.json", "{}\n").toFile().setLastModified(995_000L);
    EnumeratorContext<FileSourceSplit> next = new EnumeratorContext<>(1);
    var second = enumerator(spec, "u2", next, enumerator.snapshotState(1));
    second.start();
    next.registerReaders(1);
    next.runNextOneTimeCallable();
    second.handleSplitRequest(0, null);
    second.handleSplitRequest(0, null);
    assertThat(assigned(next)).containsExactly(path("late-but-young.json"));
  }

  @Test
  void badValuesAreReportedWithTheFix() {
    assertThatThrownBy(() -> AutoLoaderOptions.discovery(spec().option("maxFilesPerTrigger", "0")))
        .hasMessageEndingWith(
            "option 'maxFilesPerTrigger' is '0' but must be a positive whole number. "
                + "Fix the value passed to option(\"maxFilesPerTrigger\", ...).");
    assertThatThrownBy(
            () -> AutoLoaderOptions.discovery(spec().option("maxBytesPerTrigger", "lots")))
        .hasMessageContaining("must be a positive size such as 1048576, 512k, 64m or 1g");
    assertThatThrownBy(
            () -> AutoLoaderOptions.discovery(spec().option("modifiedAfter", "yesterday")))
        .hasMessageContaining("must be a timestamp such as 2024-05-01T00:00:00Z");
    assertThatThrownBy(
            () -> AutoLoaderOptions.discovery(spec().option("cloudFiles.maxFileAg", "1 day")))
        .hasMessageContaining("unknown option 'cloudFiles.maxFileAg'");
    assertThat(
            AutoLoaderOptions.discovery(
                spec().option("maxBytesPerTrigger", "64m").option("maxFileAge", "7 days")))
        .isEqualTo(
            new DiscoveryOptions(
                Integer.MAX_VALUE, 64L << 20, true, Long.MIN_VALUE, Duration.ofDays(7).toMillis()));
    assertThat(AutoLoaderOptions.discovery(spec())).isEqualTo(DiscoveryOptions.DEFAULTS);
  }

  private String path(String relative) {
    return Files.flinkPath(dir.resolve(relative));
  }

  private static List<String> assigned(EnumeratorContext<FileSourceSplit> context) {
    return context.assigned().stream().map(split -> split.path().toString()).toList();
  }
}
