package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.dsl.plan.LogicalPlan;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example builds into a valid plan, and its {@code describe()} matches the reviewed golden
 * text under {@code src/test/resources/golden/}: a change to an example or to the plan's text shows
 * up here as a diff to review.
 */
class ExamplePlansTest {

  static Stream<Arguments> examples() {
    return Stream.of(
        Arguments.of("events", new EventsPipeline()),
        Arguments.of("medallion", new MedallionPipeline()),
        Arguments.of("transactions", new TransactionsPipeline()),
        Arguments.of("views", new ViewsPipeline()),
        Arguments.of("cdc", new CdcPipeline()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void describeMatchesGoldenText(String name, PipelineDefinition definition) {
    LogicalPlan plan = Pipeline.plan(name, Map.of(), definition);

    assertThat(plan.describe()).isEqualTo(golden(name));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void describeIsTheSameOnEveryBuild(String name, PipelineDefinition definition) {
    assertThat(Pipeline.plan(name, Map.of(), definition).describe())
        .isEqualTo(Pipeline.plan(name, Map.of(), definition).describe());
  }

  private static String golden(String name) {
    String resource = "/golden/" + name + ".txt";
    try (InputStream in = ExamplePlansTest.class.getResourceAsStream(resource)) {
      assertThat(in).as("golden file %s", resource).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
