package io.tributary.dsl;

import java.util.List;

/**
 * The pipeline's definition is wrong: the user must change it. Carries every problem found, not only
 * the first, each naming the dataset, what is wrong, and how to fix it.
 *
 * <p>Tributary's one user-fault type for a pipeline: its definition, and (as the subtype {@code
 * io.tributary.runtime.config.PipelineConfigException}) its file and settings. Made only in factories
 * ({@link #of} here, {@code ConfigErrors} for the subtype); the CLI exits with 2 for any of them.
 */
public class PipelineDefinitionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String pipeline;
  private final List<String> problems;

  PipelineDefinitionException(String pipeline, List<String> problems) {
    super(format(pipeline, problems));
    this.pipeline = pipeline;
    this.problems = List.copyOf(problems);
  }

  /**
   * For a subtype that reports one problem whose text is the whole message (a pipeline file or
   * setting, which names its file or key itself).
   *
   * @param pipeline the pipeline's name, or its file when the name is not known yet
   */
  protected PipelineDefinitionException(String pipeline, String message) {
    super(message);
    this.pipeline = pipeline;
    this.problems = List.of(message);
  }

  /** Reports problems found outside {@code dsl}, by the analyzer that resolves schemas with Flink. */
  public static PipelineDefinitionException of(String pipeline, List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a definition error needs at least one problem");
    }
    return new PipelineDefinitionException(pipeline, problems);
  }

  public String pipeline() {
    return pipeline;
  }

  /**
   * Each problem as one message: names first, then datasets, then apply-changes flows, then reads,
   * each group in the order the datasets were declared.
   */
  public List<String> problems() {
    return problems;
  }

  private static String format(String pipeline, List<String> problems) {
    StringBuilder text =
        new StringBuilder("Pipeline '")
            .append(pipeline)
            .append("' has ")
            .append(problems.size())
            .append(problems.size() == 1 ? " problem:" : " problems:");
    for (int i = 0; i < problems.size(); i++) {
      text.append(System.lineSeparator())
          .append("  ")
          .append(i + 1)
          .append(". ")
          .append(problems.get(i));
    }
    return text.toString();
  }
}
