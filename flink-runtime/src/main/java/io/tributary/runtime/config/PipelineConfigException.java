package io.tributary.runtime.config;

/** {@code pipeline.yml} is wrong: the message names the file, the key and the fix. */
public final class PipelineConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  PipelineConfigException(String message) {
    super(message);
  }
}
