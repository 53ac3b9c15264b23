package io.tributary.runtime.config;

/**
 * The pipeline's settings are wrong ({@code pipeline.yml}, a library that cannot be loaded, a bad
 * configuration value): the message names the file or key and the fix.
 */
public final class PipelineConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PipelineConfigException(String message) {
    super(message);
  }
}
