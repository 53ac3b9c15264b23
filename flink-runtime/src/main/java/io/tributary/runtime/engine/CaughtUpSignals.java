package io.tributary.runtime.engine;

import java.util.concurrent.CompletableFuture;

/** Tells the runner when a source of a STREAMING job has read everything there was at the update's start. */
public interface CaughtUpSignals {

  /** Completes when the source registered under {@code sourceId} for {@code updateId} has caught up. */
  CompletableFuture<Void> await(String updateId, String sourceId);

  /** Forgets the signals of {@code updateId} (a run of a job), once it has ended. */
  void release(String updateId);
}
