package io.tributary.runtime.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Every {@link PipelineConfigException}: what is wrong with a pipeline file or a pipeline's settings,
 * each message naming the file or key, what is wrong, and the fix.
 */
final class ConfigErrors {

  private ConfigErrors() {}

  static PipelineConfigException noSuchFile(Path file) {
    return inFile(file, "no such pipeline file. Pass the path of a pipeline.yml.");
  }

  static PipelineConfigException unknownKey(
      Path file, String key, int line, List<String> knownKeys) {
    return inFile(
        file,
        "unknown key '" + key + "' at line " + line + ". Known keys here: " + knownKeys + ".");
  }

  /** @param line the line, or -1 if unknown */
  static PipelineConfigException invalidValue(Path file, String key, int line, String why) {
    return inFile(
        file,
        "invalid value for '"
            + key
            + "'"
            + (line < 0 ? "" : " at line " + line)
            + ": "
            + why
            + ".");
  }

  static PipelineConfigException notYaml(Path file, String why) {
    return inFile(file, "not a valid YAML file: " + why);
  }

  static PipelineConfigException emptyFile(Path file) {
    return inFile(file, "the file is empty. Set at least name, storage and libraries.");
  }

  static PipelineConfigException missingKeys(Path file, List<String> missing) {
    return inFile(
        file,
        "missing "
            + String.join(", ", missing)
            + ". A pipeline file names the pipeline, its storage root and its PipelineDefinition classes.");
  }

  static PipelineConfigException badTriggerInterval(Path file, String interval) {
    return inFile(
        file,
        "trigger.interval '"
            + interval
            + "' is not a duration. Write it as '10 s', '5 min' or '1 h'.");
  }

  static PipelineConfigException badParallelism(Path file, int parallelism) {
    return inFile(file, "flink.parallelism is " + parallelism + ". Use 1 or more.");
  }

  static PipelineConfigException badCluster(Path file, String why) {
    return inFile(file, "flink.cluster: " + why);
  }

  static PipelineConfigException hadoopKeyWithoutValue(Path file, String key) {
    return inFile(
        file, "hadoop." + key + " has no value. Give each Hadoop setting a value, or remove it.");
  }

  /** A wrong {@code pipelines.*} key, or the libraries that cannot be loaded: {@code problems} joined. */
  static PipelineConfigException inPipeline(String pipeline, List<String> problems) {
    return new PipelineConfigException(
        pipeline, "Pipeline '" + pipeline + "': " + String.join("; ", problems));
  }

  private static PipelineConfigException inFile(Path file, String what) {
    return new PipelineConfigException(file.toString(), file + ": " + what);
  }
}
