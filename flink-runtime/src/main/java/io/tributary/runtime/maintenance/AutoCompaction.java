package io.tributary.runtime.maintenance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.maintain.DeltaCompaction;
import io.tributary.runtime.delta.write.AfterCommit;
import io.tributary.runtime.delta.write.DeltaWriteSpec;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventType;
import io.tributary.runtime.eventlog.UpdateEvents;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.JobContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auto compaction of one append-only streaming table during a continuous update (Delta's {@code
 * delta.autoOptimize.autoCompact}): after each data commit the Delta committer calls {@link
 * #committed}, which hands the check to one background thread and returns at once, so no data commit
 * waits for it. When the table's latest snapshot has at least {@link AutoCompactSettings#minFiles}
 * files below the target size, {@link DeltaCompaction} rewrites them in one {@code dataChange=false}
 * commit, and a {@code maintenance_progress} event names the files merged and their bytes.
 *
 * <p>At most one compaction of the table runs at a time: a commit made while one runs starts none (the
 * next commit after it checks again). A compaction racing the committer's appends is safe both ways:
 * an append that loses to it is retried by Kernel (a blind append conflicts with no rewrite), and a
 * compaction that loses to an append commits again only if every file it rewrote is still in the table
 * ({@code DeltaTableCommitter.commitRewrite}); otherwise it commits nothing. Its failures are logged and
 * never fail the job. A compaction cut off (a crash, or the task closing) leaves at most unreferenced
 * files, which VACUUM ({@code tributary maintain}) deletes.
 */
public final class AutoCompaction implements AfterCommit {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(AutoCompaction.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long closing the task waits for a compaction in progress before abandoning it. */
  private static final long CLOSE_WAIT_SECONDS = 10;

  private final String tablePath;
  private final AutoCompactSettings settings;
  private final long targetFileBytes;
  private final UpdateEvents events;
  private final String dataset;

  private transient ExecutorService executor;
  private transient AtomicBoolean running;

  /**
   * Small files the table had after the last check (the snapshot it read, less what it compacted), -1
   * before the first: with {@link #sinceCheck} an estimate that spares reading the table's snapshot
   * after every commit. It only decides when to look; the compaction itself counts the snapshot.
   */
  private transient AtomicLong atLastCheck;

  /** Small files the data commits added since the last check started. */
  private transient AtomicLong sinceCheck;

  private transient Configuration conf;

  /**
   * @param tablePath the table, read and written with {@code events}' Hadoop settings
   * @param events where its {@code maintenance_progress} events go
   */
  AutoCompaction(
      String tablePath,
      AutoCompactSettings settings,
      long targetFileBytes,
      UpdateEvents events,
      String dataset) {
    this.tablePath = Objects.requireNonNull(tablePath, "tablePath");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.targetFileBytes = targetFileBytes;
    this.events = Objects.requireNonNull(events, "events");
    this.dataset = Objects.requireNonNull(dataset, "dataset");
  }

  /**
   * The auto compaction of {@code dataset}'s table in a job of update {@code updateId}, if {@code
   * settings} and the table's {@code properties} ask for it: only in a continuous update (a triggered
   * one has {@code pipelines.maintenance.afterUpdate}), not when {@value
   * TableMaintenance#AUTO_OPTIMIZE} is false.
   */
  public static Optional<AfterCommit> of(
      PipelineStorage storage,
      JobContext job,
      String dataset,
      java.util.Map<String, String> properties,
      AutoCompactSettings settings) {
    boolean managed =
        !"false"
            .equalsIgnoreCase(
                properties.getOrDefault(TableMaintenance.AUTO_OPTIMIZE, "true").strip());
    if (!job.continuous() || !settings.enabled() || !managed) {
      return Optional.empty();
    }
    return Optional.of(
        new AutoCompaction(
            storage.tablePath(dataset),
            settings,
            DeltaWriteSpec.TARGET_FILE_BYTES,
            UpdateEvents.of(storage, job),
            dataset));
  }

  @Override
  public void open() {
    conf = events.hadoop().toConfiguration();
    running = new AtomicBoolean();
    atLastCheck = new AtomicLong(-1);
    sinceCheck = new AtomicLong();
    executor =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "auto-compaction " + dataset);
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public void committed(long tableVersion, List<DeltaDataFile> added) {
    if (executor == null) {
      return;
    }
    long small =
        sinceCheck.addAndGet(added.stream().filter(f -> f.size() < targetFileBytes).count());
    long known = atLastCheck.get();
    if (known >= 0 && known + small < settings.minFiles()) {
      return;
    }
    if (executor.isShutdown() || !running.compareAndSet(false, true)) {
      return;
    }
    sinceCheck.set(0);
    try {
      executor.execute(
          () -> {
            try {
              compact(tableVersion);
            } finally {
              running.set(false);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      running.set(false);
    }
  }

  private void compact(long afterVersion) {
    long start = System.nanoTime();
    DeltaCompaction.Result result;
    try {
      DeltaCompaction.Checked checked =
          DeltaCompaction.compactIfSmallFiles(
              tablePath, targetFileBytes, settings.minFiles(), conf);
      result = checked.result();
      // the files it wrote are below the target too until the table grows: they count
      atLastCheck.set(
          checked.smallFiles()
              - (result.version().isPresent() ? result.filesRemoved() - result.filesAdded() : 0));
    } catch (RuntimeException e) {
      // tried again once minFiles more small files are committed
      atLastCheck.set(0);
      LOG.warn("Table {}: auto compaction failed; the data commits go on", tablePath, e);
      log(afterVersion, null, e.toString(), 0);
      return;
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (result.version().isEmpty()) {
      Optional<String> why = result.skipped();
      LOG.debug("Table {}: no auto compaction: {}", tablePath, why.orElse("nothing to compact"));
      if (why.isPresent()
          && !why.get().startsWith("only ")
          && !why.get().equals(DeltaCompaction.KEYED_TABLE)) {
        // it lost a race to a commit that changed its files, or the schema: nothing committed
        LOG.info("Table {}: auto compaction committed nothing: {}", tablePath, why.get());
        log(afterVersion, result, null, millis);
      }
      return;
    }
    LOG.info(
        "Table {}: auto compaction merged {} files ({} bytes) into {} ({} bytes) as table version {}"
            + " in {} ms",
        tablePath,
        result.filesRemoved(),
        result.bytesRemoved(),
        result.filesAdded(),
        result.bytesAdded(),
        result.version().getAsLong(),
        millis);
    log(afterVersion, result, null, millis);
  }

  /** The {@code maintenance_progress} event of a compaction ({@code result}) or its failure. */
  private void log(long afterVersion, DeltaCompaction.Result result, String error, long millis) {
    ObjectNode progress = JSON.createObjectNode();
    progress.put("state", error == null ? "COMPLETED" : "FAILED");
    progress.put("trigger", "auto_compact");
    progress.put("after_table_version", afterVersion);
    progress.put("duration_ms", millis);
    String message;
    if (result != null && result.version().isPresent()) {
      ObjectNode c = progress.putObject("compaction");
      c.put("files_before", result.filesBefore())
          .put("files_after", result.filesAfter())
          .put("files_removed", result.filesRemoved())
          .put("bytes_removed", result.bytesRemoved())
          .put("files_added", result.filesAdded())
          .put("bytes_added", result.bytesAdded())
          .put("version", result.version().getAsLong());
      message =
          "Auto compaction of table '"
              + dataset
              + "' merged "
              + result.filesRemoved()
              + " small files ("
              + result.bytesRemoved()
              + " bytes) into "
              + result.filesAdded()
              + " ("
              + result.bytesAdded()
              + " bytes) as table version "
              + result.version().getAsLong()
              + ".";
    } else {
      if (result != null) {
        progress.put("state", "ABANDONED");
        result.skipped().ifPresent(why -> progress.put("reason", why));
      }
      message =
          "Auto compaction of table '"
              + dataset
              + "' committed nothing"
              + (result != null && result.skipped().isPresent()
                  ? " (" + result.skipped().get() + ")"
                  : "")
              + "; its data commits go on, and a later one tries again.";
    }
    ObjectNode details = JSON.createObjectNode();
    details.set("maintenance_progress", progress);
    String id =
        UUID.nameUUIDFromBytes(
                ("auto-compact/" + events.updateId() + "/" + dataset + "/" + afterVersion)
                    .getBytes(StandardCharsets.UTF_8))
            .toString();
    try {
      events
          .journal(conf)
          .append(
              events.updateNumber(),
              new Event(
                  id,
                  0,
                  events.origin(Optional.empty(), Optional.of(dataset)),
                  Instant.now(),
                  error == null ? Event.Level.INFO : Event.Level.WARN,
                  message,
                  Optional.ofNullable(error),
                  details.toString(),
                  EventType.MAINTENANCE_PROGRESS.value()));
    } catch (RuntimeException e) {
      LOG.warn("Table {}: could not log its auto compaction", tablePath, e);
    }
  }

  @Override
  public void close() {
    if (executor == null) {
      return;
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn(
            "Table {}: auto compaction still running after {} s; abandoned (files it wrote are left"
                + " to VACUUM)",
            tablePath,
            CLOSE_WAIT_SECONDS);
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
