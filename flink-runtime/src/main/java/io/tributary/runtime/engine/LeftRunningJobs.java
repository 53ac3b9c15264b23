package io.tributary.runtime.engine;

import io.tributary.runtime.UpdateListener;
import io.tributary.runtime.eventlog.UpdateEventLog;
import io.tributary.runtime.remote.LeftoverJobs;
import io.tributary.runtime.storage.PipelineStorage;
import java.time.Duration;
import java.util.List;

/**
 * The jobs a killed {@code --cluster} client left running: a remote cluster runs an update's jobs on
 * whether or not the client that submitted them lives. Before an update runs anything, it stops each
 * job the records of earlier updates that ended without closing name ({@link UpdateRecord#leftRunning})
 * with a savepoint into the job's own savepoint folder (cancels it if that fails), says so on the
 * terminal ({@link UpdateListener#onNotice}) and in the event log, and notes it in that record. Its job
 * then restores the newest of that savepoint and its retained checkpoints
 * ({@code PipelineStorage.stateToRestore}), so what the left job committed is neither lost nor
 * committed twice.
 */
final class LeftRunningJobs {

  private static final Duration STOP_TIMEOUT = Duration.ofMinutes(5);

  private LeftRunningJobs() {}

  static void stopAll(
      PipelineStorage storage, long current, UpdateEventLog events, UpdateListener listener) {
    List<UpdateRecord.LeftJob> left = UpdateRecord.leftRunning(storage, current);
    for (UpdateRecord.LeftJob job : left) {
      String which =
          "Update "
              + job.update()
              + " left its "
              + job.mode().toLowerCase(java.util.Locale.ROOT)
              + " job '"
              + job.job()
              + "' (Flink job "
              + job.jobId()
              + ") on the Flink cluster at "
              + job.cluster();
      LeftoverJobs.Stopped stopped;
      try {
        stopped =
            LeftoverJobs.stop(
                job.cluster(),
                job.jobId(),
                job.mode().equals("STREAMING"),
                storage.savepointDir(job.job()),
                STOP_TIMEOUT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw JobFailedException.leftRunning(which, ": interrupted while stopping it.", e);
      } catch (IllegalStateException e) {
        throw JobFailedException.leftRunning(
            which,
            ", and it could not be stopped: "
                + e.getMessage()
                + " Update "
                + current
                + " runs nothing while that job may still write the pipeline's tables: start again once the cluster"
                + " answers. If that cluster is gone for good (its jobs with it), add \"stopped_by_update\": "
                + current
                + " to the job in "
                + storage.updatesDir()
                + "/"
                + String.format("%06d.json", job.update())
                + ".",
            e);
      }
      String message =
          switch (stopped.how()) {
            case SAVEPOINT ->
                which
                    + " running: stopped it with a savepoint ("
                    + stopped.savepoint().orElseThrow()
                    + "), from which update "
                    + current
                    + " continues.";
            case CANCELLED ->
                which
                    + " running: cancelled it ("
                    + stopped.detail()
                    + "); update "
                    + current
                    + " continues from its newest checkpoint.";
            case ENDED -> "";
          };
      UpdateRecord.markStopped(storage, job, current, stopped.how().name(), stopped.savepoint());
      if (!message.isEmpty()) {
        events.jobLeftRunning(
            job.update(),
            job.updateId(),
            job.job(),
            job.jobId(),
            job.cluster(),
            stopped.how().name(),
            stopped.savepoint(),
            message);
        listener.onNotice(message);
      }
    }
  }
}
