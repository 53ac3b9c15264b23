package io.tributary.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** DeltaSource as a user writes it: immutable, its options checked when the pipeline is built, described deterministically. */
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
    assertThat(base.option("startingVersion", "latest").startingVersionNumber())
        .isEqualTo(Optional.of(-1L));
    assertThat(configured.stateIdentity())
        .isEqualTo(base.stateIdentity())
        .isEqualTo("DeltaSource /data/tables/orders");
  }

  @Test
  void eachWrongOptionIsAProblemWithItsFix() {
    DeltaSource source = DeltaSource.path("/t");
    assertThat(source.option("skipChangeCommit", "true").problems())
        .containsExactly(
            "DeltaSource on '/t': unknown"
                + " option 'skipChangeCommit'. Known options: [maxFilesPerTrigger, skipChangeCommits, startingVersion].");
    assertThat(source.option("skipChangeCommits", "yes").problems())
        .containsExactly(
            "DeltaSource on '/t': option"
                + " skipChangeCommits is 'yes'. Set it to true or false.");
    assertThat(source.startingVersion(-2).problems())
        .containsExactly(
            "DeltaSource on '/t': option startingVersion"
                + " is '-2'. Set it to a table version (0 or more) or to latest.");
    assertThat(source.option("maxFilesPerTrigger", "0").problems())
        .containsExactly(
            "DeltaSource on '/t': option"
                + " maxFilesPerTrigger is '0'. Set it to a whole number of files, 1 or more.");
    assertThat(DeltaSource.path(" ").problems())
        .containsExactly(
            "DeltaSource.path needs the path of a Delta table"
                + " (the folder holding _delta_log), got a blank path.");
    assertThat(source.startingVersion(3).option("maxFilesPerTrigger", "10").problems()).isEmpty();
  }

  @Test
  void pipelineBuildReportsASourcesProblemsWithTheOthers() {
    Pipeline p = Pipeline.create("shop", Map.of());
    p.streamingTable("copy").from(DeltaSource.path("/t").option("skipChangeCommits", "yes"));
    p.streamingTable("silver").from("bronze");

    assertThatThrownBy(p::build)
        .isInstanceOf(PipelineDefinitionException.class)
        .hasMessage(
            String.join(
                System.lineSeparator(),
                "Pipeline 'shop' has 2 problems:",
                "  1. Dataset 'copy': DeltaSource on '/t': option skipChangeCommits is 'yes'. Set it to true or false.",
                "  2. Dataset 'silver': input 'bronze' is not defined. Defined datasets: [copy, silver]. Check the name"
                    + " passed to from()."));
  }
}
