package io.tributary.runtime.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tributary.runtime.remote.RemoteExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.util.TimeUtils;

/**
 * Reads {@code pipeline.yml} with Jackson YAML. Unknown keys are rejected by name; a relative
 * {@code storage} is resolved against the file's folder, and {@code ${pipelineDir}} in a
 * configuration value stands for that folder.
 */
public final class PipelineConfigLoader {

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private PipelineConfigLoader() {}

  /**
   * Loads and checks {@code file}.
   *
   * @throws PipelineConfigException naming the file, the key and the fix
   */
  public static PipelineConfig load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw ConfigErrors.noSuchFile(file);
    }
    RawConfig raw;
    try {
      raw = YAML.readValue(file.toFile(), RawConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw ConfigErrors.unknownKey(
          file,
          path(e),
          e.getLocation().getLineNr(),
          e.getKnownPropertyIds().stream()
              .map(Object::toString)
              .sorted()
              .collect(Collectors.toList()));
    } catch (JsonMappingException e) {
      throw ConfigErrors.invalidValue(
          file,
          path(e),
          e.getLocation() == null ? -1 : e.getLocation().getLineNr(),
          e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw ConfigErrors.notYaml(file, e.getMessage());
    }
    if (raw == null) {
      throw ConfigErrors.emptyFile(file);
    }
    return raw.toConfig(file.toAbsolutePath().normalize());
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  /** The file's shape; only {@link PipelineConfigLoader} sees it. */
  static final class RawConfig {
    @JsonProperty public String name;
    @JsonProperty public String storage;
    @JsonProperty public List<String> libraries = List.of();
    @JsonProperty public Map<String, String> configuration = Map.of();
    @JsonProperty public boolean continuous = false;
    @JsonProperty public boolean development = true;
    @JsonProperty public Trigger trigger = new Trigger();
    @JsonProperty public Flink flink = new Flink();
    @JsonProperty public Map<String, String> hadoop = Map.of();

    static final class Trigger {
      @JsonProperty public String interval;
    }

    static final class Flink {
      @JsonProperty public Integer parallelism;
      @JsonProperty public Map<String, String> options = Map.of();

      /** HOST:PORT of a session cluster's REST endpoint; absent for an embedded cluster. */
      @JsonProperty public String cluster;
    }

    PipelineConfig toConfig(Path file) {
      List<String> missing = new ArrayList<>();
      if (name == null || name.isBlank()) {
        missing.add("name");
      }
      if (storage == null || storage.isBlank()) {
        missing.add("storage");
      }
      if (libraries == null || libraries.isEmpty()) {
        missing.add("libraries");
      }
      if (!missing.isEmpty()) {
        throw ConfigErrors.missingKeys(file, missing);
      }
      Path folder = file.getParent();
      Map<String, String> conf = new TreeMap<>();
      new LinkedHashMap<>(configuration)
          .forEach(
              (k, v) ->
                  conf.put(k, v == null ? "" : v.replace("${pipelineDir}", folder.toString())));
      Duration interval = PipelineConfig.DEFAULT_TRIGGER_INTERVAL;
      if (trigger != null && trigger.interval != null) {
        try {
          interval = TimeUtils.parseDuration(trigger.interval);
        } catch (IllegalArgumentException e) {
          throw ConfigErrors.badTriggerInterval(file, trigger.interval);
        }
      }
      int parallelism =
          flink == null || flink.parallelism == null
              ? Runtime.getRuntime().availableProcessors()
              : flink.parallelism;
      if (parallelism < 1) {
        throw ConfigErrors.badParallelism(file, parallelism);
      }
      return new PipelineConfig(
          name,
          resolveStorage(folder, storage),
          libraries,
          conf,
          continuous,
          development,
          interval,
          parallelism,
          flink == null ? Map.of() : flink.options,
          hadoopSettings(file),
          cluster(file));
    }

    private String cluster(Path file) {
      if (flink == null || flink.cluster == null || flink.cluster.isBlank()) {
        return "";
      }
      try {
        return RemoteExecutor.HostPort.parse(flink.cluster).toString();
      } catch (IllegalArgumentException e) {
        throw ConfigErrors.badCluster(file, e.getMessage());
      }
    }

    private Map<String, String> hadoopSettings(Path file) {
      Map<String, String> settings = new TreeMap<>();
      if (hadoop != null) {
        hadoop.forEach(
            (key, value) -> {
              if (value == null) {
                throw ConfigErrors.hadoopKeyWithoutValue(file, key);
              }
              settings.put(key, value);
            });
      }
      return settings;
    }

    private static String resolveStorage(Path folder, String storage) {
      return PipelineConfig.isUri(storage) || Path.of(storage).isAbsolute()
          ? storage
          : folder.resolve(storage).normalize().toString();
    }
  }
}
