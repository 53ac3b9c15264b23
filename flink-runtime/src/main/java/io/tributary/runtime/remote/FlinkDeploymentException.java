package io.tributary.runtime.remote;

import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.StateRecoveryOptions;

/**
 * The Flink deployment an update was started in cannot run it (an application cluster with high
 * availability, a savepoint given to the program): the user's setup, reported before any job runs.
 * The CLI exits with code 2, as for a wrong pipeline. Made only by the factories below.
 */
public final class FlinkDeploymentException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private static final String ON_A_SESSION_CLUSTER =
      "flink run -c io.tributary.runtime.cli.TributaryCli "
          + "tributary-flink.jar start PIPELINE.yml";

  private FlinkDeploymentException(String message) {
    super(message);
  }

  /** The context runs one job at most with a client that can neither stop a job nor read its result. */
  static FlinkDeploymentException oneJobAtMost() {
    return new FlinkDeploymentException(
        "Flink runs this program with one job at most and a job client that can "
            + "neither stop a job with a savepoint nor read its result: a submission through the REST API's jar run "
            + "(the web UI's 'Submit New Job', the Kubernetes operator's FlinkSessionJob) runs it so. An update runs "
            + "several jobs and stops each with a savepoint. Start it with "
            + ON_A_SESSION_CLUSTER
            + ", with "
            + "tributary start PIPELINE.yml --cluster HOST:PORT, or as an application (application mode).");
  }

  /** An application cluster with high availability ({@code haMode}) allows one streaming job. */
  static FlinkDeploymentException applicationWithHighAvailability(Object haMode) {
    return new FlinkDeploymentException(
        "Application mode with high availability ("
            + HighAvailabilityOptions.HA_MODE.key()
            + ": "
            + haMode
            + ") cannot run "
            + "a Tributary update: Flink allows an application with high availability at most one streaming job "
            + "(a second one fails with 'Cannot have more than 1 streaming jobs in a single environment.'), and an "
            + "update runs one job per group of connected streaming tables and one per materialized table. Run the "
            + "pipeline on a session cluster instead ("
            + ON_A_SESSION_CLUSTER
            + ", or tributary start PIPELINE.yml "
            + "--cluster HOST:PORT), which may have high availability, or turn it off for this application cluster.");
  }

  /** An application cluster that submits a failed job on an application error allows one job. */
  static FlinkDeploymentException applicationWithOneJob() {
    return new FlinkDeploymentException(
        "Application mode with "
            + DeploymentOptions.SUBMIT_FAILED_JOB_ON_APPLICATION_ERROR.key()
            + ": true cannot run a Tributary update: "
            + "Flink then allows an application one job, and an update runs several. Remove the option, or run the "
            + "pipeline on a session cluster.");
  }

  /** The program was given a savepoint ({@code path}) to restore, which every job would restore. */
  static FlinkDeploymentException givenASavepoint(String path) {
    return new FlinkDeploymentException(
        "The Flink program was given the savepoint "
            + path
            + " to restore ("
            + StateRecoveryOptions.SAVEPOINT_PATH.key()
            + ", flink run -s, --fromSavepoint): Tributary restores each "
            + "job's own savepoint from the pipeline's storage. Start it without a savepoint.");
  }
}
