package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaughtUpRegistryTest {

  @Test
  void aFutureCompletesWhetherAwaitedBeforeOrAfterAndIsKeyedByUpdateAndSource() {
    assertThat(CaughtUpRegistry.tracks("reg-u1")).isFalse();
    var early = CaughtUpRegistry.await("reg-u1", "a");
    CaughtUpRegistry.markCaughtUp("reg-u1", "a");

    assertThat(early).isCompleted();
    assertThat(CaughtUpRegistry.tracks("reg-u1")).isTrue();
    assertThat(CaughtUpRegistry.await("reg-u1", "a")).isCompleted();
    assertThat(CaughtUpRegistry.await("reg-u1", "b")).isNotDone();
    assertThat(CaughtUpRegistry.await("reg-u2", "a")).isNotDone();

    CaughtUpRegistry.release("reg-u1");
    assertThat(CaughtUpRegistry.await("reg-u1", "a")).isNotDone();
    CaughtUpRegistry.release("reg-u1");
    CaughtUpRegistry.release("reg-u2");
    assertThat(CaughtUpRegistry.tracks("reg-u1")).isFalse();
  }

  @Test
  void aJobThatEndsForgetsOnlyItsOwnSourcesSoAJobBesideItStillHearsItsCaughtUp() {
    // two jobs of one update side by side: SCD1 ends while the medallion job still reads
    var medallion = CaughtUpRegistry.await("reg-u3", "bronze_events-source");
    var scd1 = CaughtUpRegistry.await("reg-u3", "customers_scd1-source");
    CaughtUpRegistry.markCaughtUp("reg-u3", "customers_scd1-source");
    assertThat(scd1).isCompleted();

    CaughtUpRegistry.release("reg-u3", List.of("customers_scd1-source"));
    CaughtUpRegistry.markCaughtUp("reg-u3", "bronze_events-source");

    assertThat(medallion).isCompleted();
    CaughtUpRegistry.release("reg-u3", List.of("bronze_events-source"));
    assertThat(CaughtUpRegistry.tracks("reg-u3")).isFalse();
  }

  @Test
  void stateSerializerRejectsAnUnknownVersion() throws IOException {
    var serializer = AutoLoaderEnumeratorStateSerializer.INSTANCE;
    byte[] bytes =
        serializer.serialize(new AutoLoaderEnumeratorState("u", Set.of("file:/a"), List.of()));

    assertThat(serializer.deserialize(2, bytes).processedFiles()).containsExactly("file:/a");
    assertThatThrownBy(() -> serializer.deserialize(3, bytes))
        .hasMessage(
            "Auto Loader enumerator state version 3 is not known to this release (it reads versions 1 to 2): "
                + "the savepoint was written by a newer Tributary.");
  }
}
