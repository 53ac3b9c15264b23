package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SCD oracle the CDC benchmark trusts: the baseline's CSV layout and the recomputation's rules. */
class CdcTablesTest {

  /**
   * c1: inserted, updated, the update to "b" arriving after a later one (out of order); c2: inserted,
   * deleted; c3: inserted, deleted, re-inserted; c4 has no key and is left out.
   */
  static final String FEED_FILE_1 =
      """
      {"customer_id":"c1","name":"Ann","email":"a@x","address":"1 Main St, Town","operation":"INSERT","updated_at":1}
      {"customer_id":"c2","name":"Bob","email":"b@x","address":"2 Hill St","operation":"INSERT","updated_at":2}
      {"customer_id":"c1","name":"Ann","email":null,"address":"3 Oak St","operation":"UPDATE","updated_at":5}
      {"customer_id":"c3","name":"Cy","email":"c@x","address":"4 Elm St","operation":"INSERT","updated_at":3}
      """;

  static final String FEED_FILE_2 =
      """
      {"customer_id":"c1","name":"Ann B","email":"a@x","address":"5 Pine St","operation":"UPDATE","updated_at":4}
      {"customer_id":"c2","name":null,"email":null,"address":null,"operation":"DELETE","updated_at":6}
      {"customer_id":"c3","name":null,"email":null,"address":null,"operation":"DELETE","updated_at":7}
      {"customer_id":null,"name":"Nobody","email":null,"address":"x","operation":"INSERT","updated_at":8}
      {"customer_id":"c3","name":"Cy","email":"c2@x","address":"6 Elm St","operation":"INSERT","updated_at":9}
      """;

  static void writeFeed(Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("part-00000.json"), FEED_FILE_1);
    Files.writeString(dir.resolve("part-00001.json"), FEED_FILE_2);
  }

  @Test
  void recomputesScd1AndScd2FromTheRawChangesInSequenceOrder(@TempDir Path dir) throws Exception {
    writeFeed(dir);

    List<List<List<String>>> tables = CdcTables.recompute(dir);

    assertThat(tables.get(0))
        .containsExactlyInAnyOrder(
            List.of("c1", "Ann", "", "3 Oak St", "5"),
            List.of("c3", "Cy", "c2@x", "6 Elm St", "9"));
    assertThat(tables.get(1))
        .containsExactlyInAnyOrder(
            List.of("c1", "Ann", "a@x", "1 Main St, Town", "1", "4"),
            List.of("c1", "Ann B", "a@x", "5 Pine St", "4", "5"),
            List.of("c1", "Ann", "", "3 Oak St", "5", ""),
            List.of("c2", "Bob", "b@x", "2 Hill St", "2", "6"),
            List.of("c3", "Cy", "c@x", "4 Elm St", "3", "7"),
            List.of("c3", "Cy", "c2@x", "6 Elm St", "9", ""));
  }

  @Test
  void readsTheBaselinesCsvWithQuotedCommasEscapedQuotesAndNullsAsEmptyFields(@TempDir Path dir)
      throws Exception {
    Path csv = dir.resolve("customers_scd1.csv");
    Files.writeString(
        csv,
        "customer_id,name,email,address,updated_at\n"
            + "c1,Ann,,\"1 Main St, Town\",5\nc2,\"Bo \\\"B\\\"\",b@x,2 Hill St,6\n");

    assertThat(CdcTables.fromOracleCsv(csv, CdcTables.SCD1_COLUMNS))
        .containsExactly(
            List.of("c1", "Ann", "", "1 Main St, Town", "5"),
            List.of("c2", "Bo \"B\"", "b@x", "2 Hill St", "6"));
  }

  @Test
  void aMissingAnExtraAndARepeatedRowEachCountAsADifference() {
    List<String> a = List.of("c1", "Ann");
    List<String> b = List.of("c2", "Bob");
    assertThat(RowSetComparison.of(List.of(b, a), List.of(a, b)).summary())
        .isEqualTo("PASS (2 rows, expected 2, 0 differing)");
    assertThat(RowSetComparison.of(List.of(a, a), List.of(a, b)).totalDifferences()).isEqualTo(2);
    assertThat(RowSetComparison.of(List.of(a), List.of(a, b)).summary())
        .isEqualTo("FAIL (1 rows, expected 2, 1 differing): missing [c2, Bob]");
  }
}
