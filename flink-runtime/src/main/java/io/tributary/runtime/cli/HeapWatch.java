package io.tributary.runtime.cli;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the heap of the process an update's embedded cluster runs in, and says so when the garbage
 * collector, not the jobs, has the CPU: the jobs' heap state (dedup keys, aggregates, {@code
 * COUNT(DISTINCT …)} values) no longer fits, and the update slows to a crawl with nothing else to
 * tell why. Once a window of {@link #INTERVAL} spends at least half its time in collections it
 * notices, at most once per {@link #REPEAT_AFTER}, with the way out: more heap or RocksDB state.
 */
final class HeapWatch implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HeapWatch.class);

  static final Duration INTERVAL = Duration.ofSeconds(10);
  static final Duration REPEAT_AFTER = Duration.ofMinutes(1);
  static final double PRESSURE = 0.5;

  private final ScheduledExecutorService timer;

  private HeapWatch(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** One reading of the heap: wall and collection milliseconds, the old generation after its last collection. */
  record Sample(long wallMillis, long collectingMillis, long oldUsedAfterCollection, long oldMax) {

    /** This JVM now; {@code oldUsedAfterCollection} and {@code oldMax} are -1 where it cannot tell. */
    static Sample now() {
      long collecting = 0;
      for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (!concurrent(collector)) {
          collecting += Math.max(0, collector.getCollectionTime());
        }
      }
      Optional<MemoryUsage> old =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(
                  pool -> pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null)
              .max(
                  Comparator.comparing(HeapWatch::isOldGeneration)
                      .thenComparingLong(pool -> pool.getUsage().getMax()))
              .map(MemoryPoolMXBean::getCollectionUsage);
      return new Sample(
          System.nanoTime() / 1_000_000,
          collecting,
          old.map(MemoryUsage::getUsed).orElse(-1L),
          old.map(MemoryUsage::getMax).orElse(-1L));
    }
  }

  /** The old generation's pool, as Parallel, G1 and Serial name it; else the largest heap pool. */
  private static boolean isOldGeneration(MemoryPoolMXBean pool) {
    return pool.getName().contains("Old") || pool.getName().contains("Tenured");
  }

  /**
   * A collector whose time runs beside the application (G1's "G1 Concurrent GC" since JDK 20, ZGC's
   * and Shenandoah's "Cycles"): its time is not time the jobs stood still, and may be most of a window.
   */
  private static boolean concurrent(GarbageCollectorMXBean collector) {
    return collector.getName().contains("Concurrent") || collector.getName().contains("Cycles");
  }

  /**
   * What to say about the window between two samples: empty unless at least {@link #PRESSURE} of it
   * went to collections.
   */
  static Optional<String> assess(Sample before, Sample after) {
    long window = after.wallMillis() - before.wallMillis();
    if (window <= 0) {
      return Optional.empty();
    }
    double share = (double) (after.collectingMillis() - before.collectingMillis()) / window;
    if (share < PRESSURE) {
      return Optional.empty();
    }
    String fill =
        after.oldUsedAfterCollection() < 0 || after.oldMax() <= 0
            ? ""
            : String.format(
                Locale.ROOT,
                ", its old generation %.0f %% full after a collection (%s of %s)",
                100.0 * after.oldUsedAfterCollection() / after.oldMax(),
                gib(after.oldUsedAfterCollection()),
                gib(after.oldMax()));
    return Optional.of(
        String.format(
            Locale.ROOT,
            "Warning: this process spent %.0f %% of the last %.0f s collecting garbage%s. The jobs'"
                + " state may not fit in its %s heap: give it more (TRIBUTARY_JAVA_OPTS=-Xmx…) or"
                + " keep state in RocksDB (flink: options:"
                + " state.backend.type: rocksdb); docs/deploy.md, \"State that outgrows the heap\".",
            Math.min(100, 100 * share),
            window / 1000.0,
            fill,
            gib(Runtime.getRuntime().maxMemory())));
  }

  /** Starts watching this JVM, telling {@code notice} what {@link #assess} finds. */
  static HeapWatch start(Consumer<String> notice) {
    return start(notice, INTERVAL, Sample::now);
  }

  static HeapWatch start(Consumer<String> notice, Duration interval, Supplier<Sample> sampler) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "tributary-heap-watch");
              thread.setDaemon(true);
              return thread;
            });
    Sample[] last = {sampler.get()};
    long[] noticedAt = {Long.MIN_VALUE};
    timer.scheduleWithFixedDelay(
        () -> {
          Sample now = sampler.get();
          Optional<String> found = assess(last[0], now);
          last[0] = now;
          if (found.isPresent()
              && (noticedAt[0] == Long.MIN_VALUE
                  || now.wallMillis() - noticedAt[0] >= REPEAT_AFTER.toMillis())) {
            noticedAt[0] = now.wallMillis();
            // INFO: the CLI's console already shows WARN, and the notice is printed in the progress
            LOG.info(found.get());
            notice.accept(found.get());
          }
        },
        interval.toMillis(),
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return new HeapWatch(timer);
  }

  private static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
