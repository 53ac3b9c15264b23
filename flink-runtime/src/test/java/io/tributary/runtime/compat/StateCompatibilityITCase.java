package io.tributary.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * State written by an earlier build restores under this one, and the next update continues exactly once.
 * The fixture ({@code state-compat/v0.1-4d63287}, see its README) is the storage and input of
 * {@link StateCompatPipeline} after update 1 completed (a savepoint per streaming job) and update 2 failed
 * after an epoch (a retained checkpoint of the changes job, newer than its savepoint, with that epoch
 * committed). Savepoints name operator state by class, so moving or renaming a class whose state is kept
 * fails here. This update reads only the files added since, drops the keys update 1 already saw, continues
 * the SCD type 2 history, and counts expectations over the new rows only; the savepoint it writes
 * compresses its key groups, where the fixture's did not.
 */
class StateCompatibilityITCase {

  private static final String FIXTURE = "state-compat/v0.1-4d63287";

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  private AutoCloseable lock;

  @BeforeEach
  void restoreFixture() throws Exception {
    URL fixture = StateCompatibilityITCase.class.getClassLoader().getResource(FIXTURE);
    assertThat(fixture).as("test resource %s", FIXTURE).isNotNull();
    lock = StateCompatFixture.lock();
    StateCompatFixture.deleteRecursively(StateCompatFixture.ROOT);
    StateCompatFixture.copyRecursively(Path.of(fixture.toURI()), StateCompatFixture.ROOT);
    StateCompatFixture.applyModificationTimes(StateCompatFixture.ROOT);
    StateCompatPipeline.FailOnce.disarm();
  }

  @AfterEach
  void removeFixture() throws Exception {
    try {
      StateCompatFixture.deleteRecursively(StateCompatFixture.ROOT);
    } finally {
      lock.close();
    }
  }

  /**
   * At parallelism 2, the fixture's own; at 1, a changed parallelism: the earlier build saved each
   * committer and flow-progress operator (a task of its own at 2) with a maximum parallelism of 1, and
   * the operators before them with 128. Then an update back at 2 restores what this one saved.
   */
  @ParameterizedTest(name = "at parallelism {0}")
  @ValueSource(ints = {2, 1})
  void stateOfTheEarlierBuildRestoresAndTheNextUpdateContinuesExactlyOnce(int parallelism)
      throws Exception {
    assertThat(rows("customers"))
        .as("the fixture's checkpointed epoch is committed")
        .contains(Row.of("c1", "Ann B", 5L));
    Files.writeString(
        StateCompatFixture.ORDERS.resolve("part-2.json"),
        """
        {"order_id":"o1","customer_id":"c1","amount":10.0}
        {"order_id":"o3","customer_id":"c9","amount":5.0}
        {"order_id":"o4","customer_id":"c2","amount":7.5}
        {"order_id":"o5","customer_id":null,"amount":3.0}
        {"order_id":"o6","customer_id":"c3","amount":-2.0}
        {"order_id":"o7","customer_id":"c3","amount":1.0}
        {"order_id":"o8","customer_id":null,"amount":2.0}
        {"order_id":"o4","customer_id":"c2","amount":7.5}
        """);
    Files.writeString(
        StateCompatFixture.CHANGES.resolve("part-4.json"),
        """
        {"customer_id":"c1","name":"Ann C","operation":"UPSERT","seq":4}
        {"customer_id":"c4","name":null,"operation":"DELETE","seq":8}
        {"customer_id":"c5","name":"Eve","operation":"UPSERT","seq":9}
        """);

    Path savepoints =
        StateCompatFixture.STORAGE.resolve("_tributary/state/stream_orders_raw/savepoints");
    List<Path> earlier = savepointsIn(savepoints);
    assertThat(earlier).hasSize(1);
    assertThat(SavepointKeyGroups.compressed(earlier.get(0)))
        .as("the earlier build wrote its keyed state uncompressed")
        .isNotEmpty()
        .containsOnly(false);

    UpdateResult update =
        StateCompatFixture.update(new StateCompatPipeline(), CLUSTER.cluster())
            .parallelism(parallelism)
            .run();

    assertThat(update.state()).as("%s", update.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(update.number()).isEqualTo(3);
    List<Path> written = savepointsIn(savepoints);
    written.removeAll(earlier);
    assertThat(written).hasSize(1);
    assertThat(SavepointKeyGroups.compressed(written.get(0)))
        .as("this build compresses a streaming job's keyed state (dropDuplicates' keys)")
        .isNotEmpty()
        .containsOnly(true);
    assertThat(rows("orders_raw"))
        .as("part-1 was read by update 1 only: 4 rows, then part-2's 8")
        .hasSize(12);
    assertThat(rows("orders"))
        .as("o1 and o3 were seen in update 1: dropDuplicates remembers them")
        .containsExactlyInAnyOrder(
            Row.of("o1", "c1", 10.0, null),
            Row.of("o3", null, 5.0, null),
            Row.of("o4", "c2", 7.5, null),
            Row.of("o5", null, 3.0, null),
            Row.of("o7", "c3", 1.0, null),
            Row.of("o8", null, 2.0, null));
    assertThat(rows("changes_raw"))
        .as("each change file read once: part-2 by the checkpointed epoch")
        .hasSize(3 + 2 + 2 + 3);
    assertThat(rows("customers"))
        .containsExactlyInAnyOrder(
            Row.of("c1", "Ann B", 5L), Row.of("c3", "Cid C", 4L), Row.of("c5", "Eve", 9L));
    assertThat(rows("customers_history"))
        .containsExactlyInAnyOrder(
            Row.of("c1", "Ann", 1L, 1L, 4L),
            Row.of(
                "c1", "Ann C", 4L, 4L,
                5L), // a late change of update 3 between versions of updates 1 and 2
            Row.of("c1", "Ann B", 5L, 5L, null),
            Row.of("c2", "Bob", 2L, 2L, 6L),
            Row.of("c3", "Cid", 3L, 3L, 4L),
            Row.of("c3", "Cid C", 4L, 4L, null),
            Row.of("c4", "Dee", 7L, 7L, 8L),
            Row.of("c5", "Eve", 9L, 9L, null));

    PipelineStorage storage =
        PipelineStorage.at(
            StateCompatFixture.STORAGE.toString(), new org.apache.hadoop.conf.Configuration());
    Map<String, EventLog.ExpectationTotals> quality =
        EventLog.dataQuality(EventLog.of(storage).events(), update.updateId());
    assertThat(quality)
        .as("the new rows after dedup only: o4, o5, o6, o7, o8")
        .containsOnly(
            Map.entry(
                "orders.has_customer",
                new EventLog.ExpectationTotals("orders", "has_customer", 3, 2)),
            Map.entry(
                "orders.positive_amount",
                new EventLog.ExpectationTotals("orders", "positive_amount", 4, 1)));

    Files.writeString(
        StateCompatFixture.ORDERS.resolve("part-3.json"),
        """
        {"order_id":"o7","customer_id":"c3","amount":1.0}
        {"order_id":"o9","customer_id":"c5","amount":4.0}
        """);
    Files.writeString(
        StateCompatFixture.CHANGES.resolve("part-5.json"),
        "{\"customer_id\":\"c5\",\"name\":\"Eve B\",\"operation\":\"UPSERT\",\"seq\":10}\n");

    UpdateResult back =
        StateCompatFixture.update(new StateCompatPipeline(), CLUSTER.cluster()).run();

    assertThat(back.state()).as("%s", back.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows("orders"))
        .as("o7 was seen before: dropDuplicates' keys survived both changes of parallelism")
        .hasSize(7)
        .contains(Row.of("o9", "c5", 4.0, null));
    assertThat(rows("customers"))
        .containsExactlyInAnyOrder(
            Row.of("c1", "Ann B", 5L), Row.of("c3", "Cid C", 4L), Row.of("c5", "Eve B", 10L));
    assertThat(rows("customers_history"))
        .hasSize(9)
        .contains(Row.of("c5", "Eve", 9L, 9L, 10L), Row.of("c5", "Eve B", 10L, 10L, null));
  }

  @Test
  void theEarlierBuildsStateFingerprintsParseAndStillCatchAChangedDefinition() throws Exception {
    UpdateResult unchanged =
        StateCompatFixture.update(new StateCompatPipeline(), CLUSTER.cluster()).run();

    assertThat(unchanged.state()).as("%s", unchanged.error()).isEqualTo(UpdateState.COMPLETED);
    assertThat(rows("orders_raw")).as("no new order file: nothing read again").hasSize(4);

    UpdateResult changed =
        StateCompatFixture.update(new StateCompatPipeline(true), CLUSTER.cluster()).run();

    assertThat(changed.state()).isEqualTo(UpdateState.FAILED);
    assertThat(changed.error().orElseThrow())
        .as("the saved fingerprint's line, read back")
        .contains(
            "(was \"orders drop duplicates [order_id]\", now \"orders drop duplicates [customer_id]\")");
  }

  private static List<Path> savepointsIn(Path directory) throws java.io.IOException {
    try (java.util.stream.Stream<Path> entries = Files.list(directory)) {
      return entries
          .filter(d -> Files.exists(d.resolve("_metadata")))
          .collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
    }
  }

  private static List<Row> rows(String table) throws Exception {
    return DeltaTableReader.readAll(
        StateCompatFixture.STORAGE.resolve("tables/" + table).toString());
  }
}
