package io.tributary.runtime.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.engine.EmbeddedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes a state compatibility fixture with the build it runs in; never part of a normal build (its name
 * matches no test pattern, and it runs only when {@code tributary.stateCompat.generate} names the folder
 * to write). {@code state-compat/<version>/README.md} gives the command and what the fixture holds.
 *
 * <p>Update 1 of {@link StateCompatPipeline} completes: both streaming jobs leave a savepoint. Update 2
 * reads two more change files, one per epoch, and fails at the first row of the second: the changes job
 * leaves a retained checkpoint, newer than its savepoint, whose first epoch is committed to the tables.
 */
@EnabledIfSystemProperty(named = "tributary.stateCompat.generate", matches = ".+")
class StateCompatibilityFixtureGenerator {

  @Test
  void generate() throws Exception {
    Path target = Path.of(System.getProperty("tributary.stateCompat.generate")).toAbsolutePath();
    try (AutoCloseable lock = StateCompatFixture.lock();
        EmbeddedCluster cluster = EmbeddedCluster.start(2, new Configuration())) {
      StateCompatFixture.deleteRecursively(StateCompatFixture.ROOT);
      Files.createDirectories(StateCompatFixture.ORDERS);
      Files.createDirectories(StateCompatFixture.CHANGES);
      Files.writeString(
          StateCompatFixture.ORDERS.resolve("part-1.json"),
          """
          {"order_id":"o1","customer_id":"c1","amount":10.0}
          {"order_id":"o2","customer_id":"c1","amount":-1.0}
          {"order_id":"o3","customer_id":null,"amount":5.0}
          {"order_id":"o1","customer_id":"c1","amount":10.0}
          """);
      Files.writeString(
          StateCompatFixture.CHANGES.resolve("part-1.json"),
          """
          {"customer_id":"c1","name":"Ann","operation":"UPSERT","seq":1}
          {"customer_id":"c2","name":"Bob","operation":"UPSERT","seq":2}
          {"customer_id":"c3","name":"Cid","operation":"UPSERT","seq":3}
          """);
      StateCompatPipeline.FailOnce.disarm();
      UpdateResult first = StateCompatFixture.update(new StateCompatPipeline(), cluster).run();
      assertThat(first.state()).as("%s", first.error()).isEqualTo(UpdateState.COMPLETED);

      Files.writeString(
          StateCompatFixture.CHANGES.resolve("part-2.json"),
          """
          {"customer_id":"c1","name":"Ann B","operation":"UPSERT","seq":5}
          {"customer_id":"c2","name":null,"operation":"DELETE","seq":6}
          """);
      Files.writeString(
          StateCompatFixture.CHANGES.resolve("part-3.json"),
          """
          {"customer_id":"c3","name":"Cid C","operation":"UPSERT","seq":4}
          {"customer_id":"c4","name":"Dee","operation":"UPSERT","seq":7}
          """);
      StateCompatPipeline.FailOnce.ROWS.set(0);
      StateCompatPipeline.FailOnce.FAIL_AT.set(3); // the first row of part-3: after part-2's epoch
      UpdateResult second = StateCompatFixture.update(new StateCompatPipeline(), cluster).run();
      StateCompatPipeline.FailOnce.disarm();
      assertThat(second.state()).isEqualTo(UpdateState.FAILED);
      assertThat(second.error().orElseThrow()).contains("injected failure at row 3");
      assertThat(
              DeltaTableReader.readAll(
                  StateCompatFixture.STORAGE.resolve("tables/customers").toString()))
          .as("part-2's epoch was committed before the failure: the fixture's checkpoint holds it")
          .contains(Row.of("c1", "Ann B", 5L));
      try (Stream<Path> files =
          Files.walk(StateCompatFixture.STORAGE.resolve("_tributary/state"))) {
        assertThat(
                files.filter(
                    f -> f.toString().contains("/checkpoints/") && f.endsWith("_metadata")))
            .as("a retained checkpoint")
            .isNotEmpty();
      }

      StateCompatFixture.deleteRecursively(target);
      StateCompatFixture.writeModificationTimes(StateCompatFixture.ROOT);
      StateCompatFixture.copyRecursively(StateCompatFixture.ROOT, target);
      StateCompatFixture.deleteRecursively(StateCompatFixture.ROOT);
    }
  }
}
