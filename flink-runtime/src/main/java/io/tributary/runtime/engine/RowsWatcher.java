package io.tributary.runtime.engine;

import io.tributary.runtime.UpdateListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Tells a listener, every interval while an update runs and once more when it ends, how many rows
 * each flow has written so far ({@link UpdateListener#onRows}), for the datasets whose count changed.
 * Progress is best effort: a failure to read it is never a failure of the update.
 */
final class RowsWatcher implements AutoCloseable {

  private final Supplier<Map<String, Long>> rows;
  private final UpdateListener listener;
  private final Map<String, Long> told = new HashMap<>();
  private final Thread thread;

  private RowsWatcher(Supplier<Map<String, Long>> rows, UpdateListener listener, Duration every) {
    this.rows = rows;
    this.listener = listener;
    this.thread =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  Thread.sleep(every.toMillis());
                  report();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "tributary-rows-watcher");
    thread.setDaemon(true);
  }

  static RowsWatcher start(
      Supplier<Map<String, Long>> rows, UpdateListener listener, Duration every) {
    RowsWatcher watcher = new RowsWatcher(rows, listener, every);
    watcher.thread.start();
    return watcher;
  }

  private synchronized void report() {
    Map<String, Long> now;
    try {
      now = rows.get();
    } catch (RuntimeException unavailable) {
      return;
    }
    now.forEach(
        (dataset, count) -> {
          if (!count.equals(told.put(dataset, count))) {
            listener.onRows(dataset, count);
          }
        });
  }

  /** Stops watching after a last report, which carries each ended job's final counts. */
  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    report();
  }
}
