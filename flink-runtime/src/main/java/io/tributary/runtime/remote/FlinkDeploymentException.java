package io.tributary.runtime.remote;

/**
 * The Flink deployment an update was started in cannot run it (an application cluster with high
 * availability, a savepoint given to the program): the user's setup, reported before any job runs.
 * The CLI exits with code 2, as for a wrong pipeline.
 */
public final class FlinkDeploymentException extends RuntimeException {

  public FlinkDeploymentException(String message) {
    super(message);
  }
}
