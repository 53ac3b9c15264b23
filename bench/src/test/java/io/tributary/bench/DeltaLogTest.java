package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bytes written per commit, as the CDC and freshness benchmarks read them off a Delta log. */
class DeltaLogTest {

  @Test
  void
      eachCommitsWrittenBytesOverTheTablesBytesAfterItAndAFileReaddedWithADeletionVectorWritesOnlyTheVector(
          @TempDir Path table) throws Exception {
    Path log = Files.createDirectories(table.resolve("_delta_log"));
    Files.writeString(
        log.resolve("00000000000000000000.json"),
        """
        {"commitInfo":{"operation":"CREATE TABLE"}}
        {"metaData":{"id":"x"}}
        """);
    Files.writeString(
        log.resolve("00000000000000000001.json"),
        """
        {"commitInfo":{"operation":"WRITE"}}
        {"add":{"path":"a.parquet","size":600,"dataChange":true,"stats":"{\\"numRecords\\":6}"}}
        {"add":{"path":"b.parquet","size":400,"dataChange":true,"stats":"{\\"numRecords\\":4}"}}
        """);
    Files.writeString(
        log.resolve("00000000000000000002.json"),
        """
        {"commitInfo":{"operation":"MERGE"}}
        {"remove":{"path":"b.parquet","dataChange":true}}
        {"add":{"path":"c.parquet","size":300,"dataChange":true}}
        {"remove":{"path":"a.parquet","dataChange":true}}
        {"add":{"path":"a.parquet","size":600,"dataChange":true,"deletionVector":{"storageType":"u","sizeInBytes":40}}}
        """);
    Files.writeString(log.resolve("00000000000000000004.json"), "{\"commitInfo\":{}}\n");

    List<DeltaLog.Commit> commits = DeltaLog.commits(table);

    assertThat(commits).hasSize(3);
    assertThat(commits.get(0).changesData()).isFalse();
    assertThat(commits.get(1))
        .isEqualTo(
            new DeltaLog.Commit(
                1, "WRITE", 1000, 2, 0, 0, 10, List.of("a.parquet", "b.parquet"), 1000, 2));
    assertThat(commits.get(2))
        .isEqualTo(
            new DeltaLog.Commit(
                2, "MERGE", 340, 2, 1000, 2, 0, List.of("c.parquet", "a.parquet"), 940, 2));
    assertThat(commits.get(2).rewrittenShare()).isEqualTo(340.0 / 940);
  }
}
