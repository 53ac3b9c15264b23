package io.tributary.runtime;

import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.PipelineStorage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;

/**
 * An update running in the background, as {@code Tributary.pipeline(…).start()} returns it: its
 * state, the flow events so far, the pipeline's event log, and a graceful {@link #stop()}.
 */
public final class RunningUpdate {

  private static final Duration STOP_POLL = Duration.ofMillis(200);
  private final CompletableFuture<UpdateResult> result = new CompletableFuture<>();
  private final CompletableFuture<Void> stopRequest = new CompletableFuture<>();
  private final List<FlowEvent> events = new CopyOnWriteArrayList<>();
  private final PipelineStorage storage;

  RunningUpdate(PipelineStorage storage) {
    this.storage = storage;
  }

  /** RUNNING until the update ends, then how it ended. */
  public UpdateState state() {
    return result.isDone() ? result.join().state() : UpdateState.RUNNING;
  }

  /** The flow events so far, oldest first. */
  public List<FlowEvent> events() {
    return List.copyOf(events);
  }

  /**
   * The pipeline's event log so far, this update's events included: the event log table and the
   * journal not folded yet, by sequence (see {@link EventLog}).
   */
  public List<Event> eventLog() {
    return EventLog.of(storage).events();
  }

  /**
   * Asks the update to stop gracefully: a running streaming job is stopped with a savepoint, so
   * its in-flight epoch commits and its state and positions are kept for the next update; jobs not
   * started yet do not start. The update then ends STOPPED. Returns at once; {@link #await()} waits.
   */
  public void stop() {
    stopRequest.complete(null);
  }

  /** Waits for the update to end and returns how it ended. */
  public UpdateResult await() throws InterruptedException {
    try {
      return result.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(cause);
    }
  }

  CompletableFuture<Void> stopRequest() {
    return stopRequest;
  }

  /**
   * Watches for a stop requested from another process ({@code tributary stop}) in this update's storage,
   * and {@link #stop()}s the update when one is; interrupt the thread to end the watch.
   */
  Thread watchStopRequests() {
    Thread watcher =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  if (storage.stopRequested()) {
                    stop();
                    return;
                  }
                  Thread.sleep(STOP_POLL.toMillis());
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "tributary-stop-watcher");
    watcher.setDaemon(true);
    watcher.start();
    return watcher;
  }

  UpdateListener recorder(UpdateListener next) {
    return new UpdateListener() {
      @Override
      public void onFlow(String dataset, FlowState state, String detail) {
        events.add(new FlowEvent(Instant.now(), dataset, state, detail));
        next.onFlow(dataset, state, detail);
      }

      @Override
      public void onRows(String dataset, long rows) {
        next.onRows(dataset, rows);
      }

      @Override
      public void onNotice(String message) {
        next.onNotice(message);
      }
    };
  }

  void complete(UpdateResult outcome) {
    result.complete(outcome);
  }

  void fail(Throwable error) {
    result.completeExceptionally(error);
  }
}
