package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.delta.write.WriterAttempt;
import io.tributary.runtime.tables.PipelineTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a continuous {@code tributary start} while an epoch's Parquet files are written but
 * not committed, then a start of the same pipeline: after it, no data or deletion-vector file under the
 * table is outside the Delta log (the killed epoch's files are deleted by the restored job's committer
 * after its first commit, because their names prove which run wrote them), and the table holds every
 * input row exactly once.
 */
class KilledEpochFilesProcessTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final String[] LEASE = {
    "--conf",
    "pipelines.lock.heartbeatInterval=500 ms",
    "--conf",
    "pipelines.lock.leaseDuration=3 s"
  };

  @TempDir Path dir;

  @Test
  void theKilledEpochsFilesAreDeletedAfterTheRestartsFirstCommitAndTheRowsAreExact()
      throws Exception {
    Path input = Files.createDirectories(dir.resolve("orders"));
    List<String> expected = new ArrayList<>();
    addFile(input, 1, 10, expected);
    String common =
        "name: shop\nstorage: storage\nlibraries:\n  - "
            + TributaryCliProcessTest.Orders.class.getName()
            + "\nconfiguration:\n  source: "
            + input
            + "\nflink:\n  parallelism: 1\n";
    Path continuous =
        Files.writeString(
            dir.resolve("continuous.yml"),
            common + "continuous: true\ntrigger:\n  interval: 3 s\n");
    Path triggered =
        Files.writeString(dir.resolve("triggered.yml"), common + "continuous: false\n");
    Path table = dir.resolve("storage/tables/orders");

    CliProcess first = CliProcess.start(dir, args("start", continuous.toString()));
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!Files.exists(table.resolve("_delta_log/00000000000000000001.json"))) {
      assertThat(first.isAlive()).as("the first update runs: %s", first.outSoFar()).isTrue();
      assertThat(System.nanoTime())
          .as("orders has a commit within %s", TIMEOUT)
          .isLessThan(deadline);
      Thread.sleep(100);
    }
    // new input until a file of an epoch not committed yet is seen on disk; then the process
    // is frozen (its epoch cannot commit between this look and the kill), looked at again,
    // and killed with kill -9 if the file is still outside the log (else it goes on)
    List<String> orphans = List.of();
    for (int batch = 2; orphans.isEmpty(); batch++) {
      assertThat(batch).as("an uncommitted epoch's file was seen within 8 batches").isLessThan(10);
      addFile(input, batch, 20_000, expected);
      long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
      while (orphans.isEmpty() && System.nanoTime() < until) {
        assertThat(first.isAlive()).as("the first update runs: %s", first.outSoFar()).isTrue();
        if (!unreferenced(table).isEmpty()) {
          first.freeze();
          try {
            orphans = unreferenced(table);
          } catch (IOException | RuntimeException e) {
            first.kill9(); // not left frozen
            throw e;
          }
          if (orphans.isEmpty()) {
            first.resume();
          }
        }
        Thread.sleep(10);
      }
    }
    first.kill9();
    orphans = unreferenced(table);
    assertThat(orphans)
        .as("files of the killed epoch, outside the log")
        .isNotEmpty()
        .allSatisfy(
            f ->
                assertThat(WriterAttempt.ownerOf(Path.of(f).getFileName().toString()))
                    .as("%s names its run", f)
                    .isPresent());
    Thread.sleep(4_000); // the lease of 3 s runs out

    CliProcess.Result second = CliProcess.run(dir, TIMEOUT, args("start", triggered.toString()));

    assertThat(second.code()).as(second.toString()).isZero();
    assertThat(unreferenced(table))
        .as("files outside the log after the restart; killed: %s", orphans)
        .isEmpty();
    assertThat(orphans).allSatisfy(f -> assertThat(table.resolve(f)).doesNotExist());
    List<String> rows = new ArrayList<>();
    for (Map<String, Object> row :
        PipelineTables.open(dir.resolve("storage").toString()).table("orders").rowsAsMaps()) {
      rows.add(row.get("order_id") + "=" + row.get("amount"));
    }
    assertThat(rows).as("every input row once").containsExactlyInAnyOrderElementsOf(expected);
  }

  /** Writes input file {@code batch} of {@code n} orders (as a hidden file, then renamed). */
  private static void addFile(Path input, int batch, int n, List<String> expected)
      throws IOException {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String id = "b" + batch + "-" + i;
      double amount = i + 0.5;
      lines
          .append("{\"order_id\":\"")
          .append(id)
          .append("\",\"amount\":")
          .append(amount)
          .append("}\n");
      expected.add(id + "=" + amount);
    }
    Path hidden = input.resolve("_part-" + batch + ".json");
    Files.writeString(hidden, lines);
    Files.move(
        hidden,
        input.resolve("part-" + batch + ".json"),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Data and deletion-vector files under the table that no commit of its log names. */
  private static List<String> unreferenced(Path table) throws IOException {
    String log;
    try (Stream<Path> commits = Files.list(table.resolve("_delta_log"))) {
      StringBuilder all = new StringBuilder();
      for (Path commit : commits.filter(p -> p.toString().endsWith(".json")).toList()) {
        all.append(Files.readString(commit));
      }
      log = all.toString();
    }
    try (Stream<Path> files = Files.walk(table)) {
      return files
          .filter(Files::isRegularFile)
          .map(table::relativize)
          .filter(p -> !p.startsWith("_delta_log") && !p.getFileName().toString().startsWith("."))
          .filter(
              p ->
                  p.toString().endsWith(".parquet")
                      || p.getFileName().toString().startsWith("deletion_vector_"))
          .map(Path::toString)
          .filter(p -> !log.contains(Path.of(p).getFileName().toString()))
          .collect(Collectors.toCollection(ArrayList::new));
    }
  }

  private static String[] args(String... args) {
    String[] all = new String[args.length + LEASE.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(LEASE, 0, all, args.length, LEASE.length);
    return all;
  }
}
