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

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
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
      throw new PipelineConfigException(file + ": no such pipeline file. Pass the path of a pipeline.yml.");
    }
    RawConfig raw;
    try {
      raw = YAML.readValue(file.toFile(), RawConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new PipelineConfigException(file + ": unknown key '" + path(e) + "' at line "
          + e.getLocation().getLineNr() + ". Known keys here: " + e.getKnownPropertyIds().stream()
          .map(Object::toString).sorted().collect(Collectors.toList()) + ".");
    } catch (JsonMappingException e) {
      throw new PipelineConfigException(file + ": invalid value for '" + path(e) + "'"
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()) + ": "
          + e.getOriginalMessage().lines().findFirst().orElse("") + ".");
    } catch (IOException e) {
      throw new PipelineConfigException(file + ": not a valid YAML file: " + e.getMessage());
    }
    if (raw == null) {
      throw new PipelineConfigException(file + ": the file is empty. Set at least name, storage and libraries.");
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
        throw new PipelineConfigException(file + ": missing " + String.join(", ", missing)
            + ". A pipeline file names the pipeline, its storage root and its PipelineDefinition classes.");
      }
      Path folder = file.getParent();
      Map<String, String> conf = new TreeMap<>();
      new LinkedHashMap<>(configuration).forEach((k, v) ->
          conf.put(k, v == null ? "" : v.replace("${pipelineDir}", folder.toString())));
      Duration interval = PipelineConfig.DEFAULT_TRIGGER_INTERVAL;
      if (trigger != null && trigger.interval != null) {
        try {
          interval = TimeUtils.parseDuration(trigger.interval);
        } catch (IllegalArgumentException e) {
          throw new PipelineConfigException(file + ": trigger.interval '" + trigger.interval
              + "' is not a duration. Write it as '10 s', '5 min' or '1 h'.");
        }
      }
      int parallelism = flink == null || flink.parallelism == null
          ? Runtime.getRuntime().availableProcessors() : flink.parallelism;
      if (parallelism < 1) {
        throw new PipelineConfigException(file + ": flink.parallelism is " + parallelism + ". Use 1 or more.");
      }
      return new PipelineConfig(name, resolveStorage(folder, storage), libraries, conf, continuous, development,
          interval, parallelism, flink == null ? Map.of() : flink.options, hadoopSettings(file), cluster(file));
    }

    private String cluster(Path file) {
      if (flink == null || flink.cluster == null || flink.cluster.isBlank()) {
        return "";
      }
      try {
        return RemoteExecutor.HostPort.parse(flink.cluster).toString();
      } catch (IllegalArgumentException e) {
        throw new PipelineConfigException(file + ": flink.cluster: " + e.getMessage());
      }
    }

    private Map<String, String> hadoopSettings(Path file) {
      Map<String, String> settings = new TreeMap<>();
      if (hadoop != null) {
        hadoop.forEach((key, value) -> {
          if (value == null) {
            throw new PipelineConfigException(file + ": hadoop." + key + " has no value. Give each Hadoop"
                + " setting a value, or remove it.");
          }
          settings.put(key, value);
        });
      }
      return settings;
    }

    private static String resolveStorage(Path folder, String storage) {
      return PipelineConfig.isUri(storage) || Path.of(storage).isAbsolute()
          ? storage : folder.resolve(storage).normalize().toString();
    }
  }
}
