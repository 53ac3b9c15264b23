package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tributary.dsl.PipelineDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each example has a pipeline file under {@code examples/pipelines/} that names its class, sets every
 * source key it reads, and points each at a folder of sample data, so {@code bin/tributary start
 * examples/pipelines/<name>.yml} runs it from any working directory.
 */
class PipelineFilesTest {

  private static final Path PIPELINES = Path.of("pipelines").toAbsolutePath();

  static Stream<Arguments> pipelineFiles() {
    return Stream.of(
        Arguments.of(
            "medallion",
            MedallionPipeline.class,
            List.of(MedallionPipeline.ORDERS_KEY, MedallionPipeline.CUSTOMERS_KEY)),
        Arguments.of("events", EventsPipeline.class, List.of(EventsPipeline.SOURCE_KEY)),
        Arguments.of(
            "transactions", TransactionsPipeline.class, List.of(TransactionsPipeline.SOURCE_KEY)),
        Arguments.of(
            "views",
            ViewsPipeline.class,
            List.of(ViewsPipeline.USERS_KEY, ViewsPipeline.EVENTS_KEY)),
        Arguments.of(
            "mixed",
            MixedModePipeline.class,
            List.of(MixedModePipeline.PRODUCTS_KEY, MixedModePipeline.EVENTS_KEY)),
        Arguments.of(
            "cdc",
            CdcPipeline.class,
            List.of(CdcPipeline.CUSTOMERS_KEY, CdcPipeline.PRODUCTS_KEY)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pipelineFiles")
  void pipelineFileRunsItsExampleOnTheSampleData(
      String name, Class<? extends PipelineDefinition> example, List<String> sourceKeys)
      throws IOException {
    JsonNode file =
        new ObjectMapper(new YAMLFactory()).readTree(PIPELINES.resolve(name + ".yml").toFile());

    assertThat(file.path("name").asText()).isEqualTo(name);
    assertThat(file.path("storage").asText()).isEqualTo("../../out/" + name);
    assertThat(file.path("libraries"))
        .extracting(JsonNode::asText)
        .containsExactly(example.getName());
    List<String> keys = new ArrayList<>();
    file.path("configuration").fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactlyInAnyOrderElementsOf(sourceKeys);
    for (String key : keys) {
      String value = file.path("configuration").path(key).asText();
      assertThat(value).startsWith("${pipelineDir}/");
      Path folder = PIPELINES.resolve(value.substring("${pipelineDir}/".length())).normalize();
      try (Stream<Path> files = Files.list(folder)) {
        assertThat(files.filter(Files::isRegularFile))
            .as("sample files of %s in %s", key, folder)
            .isNotEmpty();
      }
    }
  }
}
