package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.dsl.plan.LogicalPlan;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example builds into a valid plan whose sources come from its configuration, with defaults
 * that name the sample data in the repository, and its {@code describe()} matches the reviewed golden
 * text under {@code src/test/resources/golden/}: a change to an example or to the plan's text shows
 * up here as a diff to review.
 */
class ExamplePlansTest {

  private static final Pattern AUTO_LOADER_PATH = Pattern.compile("from AutoLoader \\w+ (\\S+)");

  static Stream<Arguments> examples() {
    return Stream.of(
        Arguments.of("events", new EventsPipeline()),
        Arguments.of("medallion", new MedallionPipeline()),
        Arguments.of("transactions", new TransactionsPipeline()),
        Arguments.of("views", new ViewsPipeline()),
        Arguments.of("mixed", new MixedModePipeline()),
        Arguments.of("cdc", new CdcPipeline()));
  }

  static Stream<Arguments> sourceKeys() {
    return Stream.of(
        Arguments.of(new EventsPipeline(), List.of(EventsPipeline.SOURCE_KEY)),
        Arguments.of(
            new MedallionPipeline(),
            List.of(MedallionPipeline.ORDERS_KEY, MedallionPipeline.CUSTOMERS_KEY)),
        Arguments.of(new TransactionsPipeline(), List.of(TransactionsPipeline.SOURCE_KEY)),
        Arguments.of(
            new ViewsPipeline(), List.of(ViewsPipeline.USERS_KEY, ViewsPipeline.EVENTS_KEY)),
        Arguments.of(
            new MixedModePipeline(),
            List.of(MixedModePipeline.PRODUCTS_KEY, MixedModePipeline.EVENTS_KEY)),
        Arguments.of(
            new CdcPipeline(), List.of(CdcPipeline.CUSTOMERS_KEY, CdcPipeline.PRODUCTS_KEY)));
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void defaultSourcePathsAreSampleDataFoldersOfTheRepository(
      String name, PipelineDefinition definition) throws IOException {
    Path repositoryRoot = Path.of("").toAbsolutePath().getParent();
    List<String> paths =
        AUTO_LOADER_PATH
            .matcher(Pipeline.plan(name, Map.of(), definition).describe())
            .results()
            .map(match -> match.group(1))
            .toList();

    assertThat(paths)
        .isNotEmpty()
        .allSatisfy(path -> assertThat(path).startsWith("examples/data/"));
    for (String path : paths) {
      try (Stream<Path> files = Files.list(repositoryRoot.resolve(path))) {
        assertThat(files.filter(Files::isRegularFile)).as("files in %s", path).isNotEmpty();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("sourceKeys")
  void everySourcePathComesFromTheConfiguration(PipelineDefinition definition, List<String> keys) {
    Map<String, String> configuration = new HashMap<>();
    keys.forEach(key -> configuration.put(key, "/mnt/" + key));

    List<String> paths =
        AUTO_LOADER_PATH
            .matcher(Pipeline.plan("p", configuration, definition).describe())
            .results()
            .map(match -> match.group(1))
            .toList();

    assertThat(paths)
        .containsExactlyInAnyOrderElementsOf(keys.stream().map(key -> "/mnt/" + key).toList());
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
