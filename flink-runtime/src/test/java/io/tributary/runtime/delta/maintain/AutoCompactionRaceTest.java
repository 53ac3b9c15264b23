package io.tributary.runtime.delta.maintain;

import static io.tributary.runtime.delta.DeltaTestSupport.internal;
import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.delta.write.DeltaFileWriter;
import io.tributary.runtime.delta.write.DeltaTableCommitter;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.flink.types.Row;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Auto compaction races a streaming table's appends: a data commit that loses the race to a compaction
 * commit is committed on top of it (a blind append conflicts with no rewrite), every row is then in
 * the table exactly once, and the compaction's commit is {@code dataChange=false}.
 */
class AutoCompactionRaceTest {

  @TempDir Path dir;

  private final Configuration conf = new Configuration();
  private final Engine engine = DefaultEngine.create(conf);

  private List<DeltaDataFile> write(String table, List<Row> rows) throws Exception {
    try (DeltaFileWriter writer =
        new DeltaFileWriter(table, DeltaMaintenanceTest.TYPE, List.of(), 1 << 20, conf, 0)) {
      for (Row row : rows) {
        writer.write(internal(DeltaMaintenanceTest.TYPE, row));
      }
      return writer.closeAll();
    }
  }

  @Test
  void anAppendThatLosesTheRaceToAnAutoCompactionIsCommittedOnTopOfItWithEveryRowOnce()
      throws Exception {
    String table = dir.resolve("race").toString();
    DeltaTableCommitter appender =
        new DeltaTableCommitter(
            engine, DeltaWriteSpec.append(table, DeltaMaintenanceTest.TYPE, "app"));
    List<Row> rows = new ArrayList<>();
    for (long epoch = 1; epoch <= 4; epoch++) {
      Row row = Row.of(epoch, "n" + epoch, "DE");
      rows.add(row);
      appender.commit(epoch, write(table, List.of(row)), false);
    }
    AtomicReference<DeltaCompaction.Result> compaction = new AtomicReference<>();
    appender.beforeAppendCommit(
        () -> {
          if (compaction.get() == null) {
            compaction.set(DeltaCompaction.compactIfSmallFiles(table, 1 << 20, 4, conf).result());
          }
        });
    Row fifth = Row.of(5L, "n5", "DE");
    rows.add(fifth);

    OptionalLong committed = appender.commit(5, write(table, List.of(fifth)), false);

    assertThat(compaction.get().version()).as("%s", compaction.get()).hasValue(4);
    assertThat(compaction.get().filesRemoved()).isEqualTo(4);
    assertThat(committed).as("the append commits after the compaction").hasValue(5);
    assertThat(DeltaTableReader.readAll(table)).containsExactlyInAnyOrderElementsOf(rows);
    assertThat(appender.latestTransactionVersion()).hasValue(5);
    String rewrite = Files.readString(dir.resolve("race/_delta_log/00000000000000000004.json"));
    assertThat(rewrite).contains("\"dataChange\":false").doesNotContain("\"dataChange\":true");
  }

  @Test
  void fewerSmallFilesThanTheMinimumCompactNothing() throws Exception {
    String table = dir.resolve("few").toString();
    DeltaTableCommitter appender =
        new DeltaTableCommitter(
            engine, DeltaWriteSpec.append(table, DeltaMaintenanceTest.TYPE, "app"));
    for (long epoch = 1; epoch <= 3; epoch++) {
      appender.commit(epoch, write(table, List.of(Row.of(epoch, "n", "DE"))), false);
    }
    long before = DeltaTableReader.version(table);

    DeltaCompaction.Checked checked = DeltaCompaction.compactIfSmallFiles(table, 1 << 20, 4, conf);
    DeltaCompaction.Result result = checked.result();

    assertThat(checked.smallFiles()).isEqualTo(3);
    assertThat(result.version()).isEmpty();
    assertThat(result.skipped()).hasValue("only 3 file(s) below the target size, fewer than 4");
    assertThat(DeltaTableReader.version(table)).isEqualTo(before);
    try (Stream<Path> files = Files.list(dir.resolve("few"))) {
      assertThat(files.filter(p -> p.toString().endsWith(".parquet"))).hasSize(3);
    }
  }
}
