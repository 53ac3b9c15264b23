package io.tributary.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** DeltaSource as a user writes it: immutable, its options checked at the call, described deterministically. */
class DeltaSourceTest {

  @Test
  void optionsMakeCopiesAndAreDescribedInKeyOrder() {
    DeltaSource base = DeltaSource.path("/data/tables/orders");
    DeltaSource configured = base.startingVersion(5).option("skipChangeCommits", "true");

    assertThat(base.describe()).isEqualTo("DeltaSource /data/tables/orders");
    assertThat(configured.describe())
        .isEqualTo("DeltaSource /data/tables/orders skipChangeCommits=true startingVersion=5");
    assertThat(configured.skipChangeCommits()).isTrue();
    assertThat(base.skipChangeCommits()).isFalse();
    assertThat(configured.startingVersionNumber()).contains(5L);
    assertThat(base.startingVersionNumber()).isEmpty();
    assertThat(base.option("startingVersion", "latest").startingVersionNumber()).isEqualTo(Optional.of(-1L));
    assertThat(configured.stateIdentity()).isEqualTo(base.stateIdentity()).isEqualTo("DeltaSource /data/tables/orders");
  }

  @Test
  void aWrongOptionIsRefusedAtTheCallWithTheFix() {
    DeltaSource source = DeltaSource.path("/t");
    assertThatThrownBy(() -> source.option("skipChangeCommit", "true")).hasMessage("DeltaSource on '/t': unknown"
        + " option 'skipChangeCommit'. Known options: [maxFilesPerTrigger, skipChangeCommits, startingVersion].");
    assertThatThrownBy(() -> source.option("skipChangeCommits", "yes")).hasMessage("DeltaSource on '/t': option"
        + " skipChangeCommits is 'yes'. Set it to true or false.");
    assertThatThrownBy(() -> source.startingVersion(-2)).hasMessage("DeltaSource on '/t': option startingVersion"
        + " is '-2'. Set it to a table version (0 or more) or to latest.");
    assertThatThrownBy(() -> source.option("maxFilesPerTrigger", "0")).hasMessage("DeltaSource on '/t': option"
        + " maxFilesPerTrigger is '0'. Set it to a whole number of files, 1 or more.");
    assertThatThrownBy(() -> DeltaSource.path(" ")).hasMessage("DeltaSource.path needs the path of a Delta table"
        + " (the folder holding _delta_log), got a blank path.");
  }
}
