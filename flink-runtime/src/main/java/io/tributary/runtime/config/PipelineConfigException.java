package io.tributary.runtime.config;

import io.tributary.dsl.PipelineDefinitionException;

/**
 * The pipeline's settings are wrong ({@code pipeline.yml}, a library that cannot be loaded, a bad
 * configuration value): the message names the file or key and the fix. A kind of
 * {@link PipelineDefinitionException}, the one user-fault type, so a caller catches both as one; made
 * only in {@link ConfigErrors}.
 */
public final class PipelineConfigException extends PipelineDefinitionException {

  private static final long serialVersionUID = 1L;

  PipelineConfigException(String pipeline, String message) {
    super(pipeline, message);
  }
}
