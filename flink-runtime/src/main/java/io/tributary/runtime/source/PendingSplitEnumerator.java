package io.tributary.runtime.source;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Tributary's never-finishing file sources (Auto Loader's and the Delta stream's) share: when they
 * list their input, and how they hand out the splits a listing finds, one split per reader request.
 * A subclass says how to list ({@link #list()}, in the coordinator's worker thread) and what a listing
 * adds ({@link #takeIn}, in the coordinator thread), and checkpoints {@link #pendingSplits()} and
 * {@link #listedUpdateId()} in its own state format.
 *
 * <ul>
 *   <li><b>Listing.</b> Continuous: every poll interval. Triggered: once at the start of an update,
 *       unless the restored state already holds this update's listing (a failover mid-update); then it
 *       never signals "no more splits", since a finished source would end the job and Flink would
 *       delete its checkpoints.</li>
 *   <li><b>Order.</b> Splits wait in the order they were found. A reader that asks while none may be
 *       handed out waits, and gets the next one. The splits a failed reader had (with the positions of
 *       the last checkpoint) go back first, before any split found since. A (re)registered reader is
 *       not waiting: it asks for a split itself when it has none.</li>
 *   <li><b>Budget.</b> One epoch (the span between two completed checkpoints) admits at most
 *       {@link EpochBudget}'s files and bytes, and always its first split, so a split larger than the
 *       byte budget still goes; a completed checkpoint admits more. Splits a failed reader gives back
 *       give back what they were admitted with.</li>
 *   <li><b>Caught up.</b> Once this update's listing is in, nothing is pending and every reader of the
 *       parallelism waits, the source reports so, once, through {@link CaughtUpRegistry}, and its
 *       {@link CaughtUpGauges} on the coordinator's metric group ({@code caughtUp} 1, {@code caughtUpIn}
 *       the update id) say so to a runner in another JVM. A reader must ask only when it holds no
 *       split (not at start when a restore gave it some, nor while others wait behind the one it
 *       finished), or the source reports caught up with input unread.</li>
 * </ul>
 *
 * @param <S> the split type
 * @param <C> the checkpointed enumerator state
 * @param <L> what one listing returns
 */
public abstract class PendingSplitEnumerator<S extends SourceSplit, C, L>
    implements SplitEnumerator<S, C> {

  private static final Logger LOG = LoggerFactory.getLogger(PendingSplitEnumerator.class);

  /** The name of the enumerator gauge (0/1) that says a source caught up; see {@link CaughtUpGauges}. */
  public static final String CAUGHT_UP_METRIC = CaughtUpGauges.CAUGHT_UP;

  /**
   * What one epoch may admit.
   *
   * @param maxFiles the most splits per epoch
   * @param maxBytes the most bytes per epoch (a soft limit: the epoch's first split always goes)
   * @param size the bytes a split counts for
   */
  public record EpochBudget<S>(int maxFiles, long maxBytes, ToLongFunction<S> size) {
    public EpochBudget {
      Objects.requireNonNull(size, "size");
    }

    /** A budget of files only. */
    public static <S> EpochBudget<S> files(int maxFiles) {
      return new EpochBudget<>(maxFiles, Long.MAX_VALUE, split -> 0);
    }
  }

  /**
   * Who the source is and when it lists.
   *
   * @param kind what logs call it, such as {@code "Delta source"}
   * @param updateId the update it runs in (what {@link CaughtUpRegistry} is told)
   * @param pollInterval how often a continuous source lists; null for a triggered source
   */
  public record Listing(
      String kind, String sourceId, String updateId, @Nullable Duration pollInterval) {
    public Listing {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(sourceId, "sourceId");
      Objects.requireNonNull(updateId, "updateId");
    }
  }

  protected final SplitEnumeratorContext<S> context;
  private final Listing listing;
  private final EpochBudget<S> budget;
  private final Deque<S> pending;
  private final Set<Integer> awaiting = new TreeSet<>();
  private String listedUpdateId;
  private CaughtUpGauges caughtUp;
  private int admittedFiles;
  private long admittedBytes;

  /**
   * @param listedUpdateId the restored state's: the update whose listing it holds, "" before the first
   * @param pending the restored state's splits not yet handed out, in order
   */
  protected PendingSplitEnumerator(
      SplitEnumeratorContext<S> context,
      Listing listing,
      EpochBudget<S> budget,
      String listedUpdateId,
      List<S> pending) {
    this.context = Objects.requireNonNull(context, "context");
    this.listing = Objects.requireNonNull(listing, "listing");
    this.budget = Objects.requireNonNull(budget, "budget");
    this.listedUpdateId = Objects.requireNonNull(listedUpdateId, "listedUpdateId");
    this.pending = new ArrayDeque<>(pending);
  }

  /** Lists the input (in the coordinator's worker thread). */
  protected abstract L list() throws Exception;

  /**
   * Takes in a listing (in the coordinator thread) and returns the splits it found, in order, or null
   * to drop a listing that is stale (one begun before a later listing landed).
   */
  @Nullable
  protected abstract List<S> takeIn(L found);

  /** The error that fails the job when a listing failed. */
  protected abstract RuntimeException listingFailed(Throwable error);

  @Override
  public void start() {
    caughtUp =
        CaughtUpGauges.register(
            context.metricGroup(), listing.kind(), listing.updateId(), listing.sourceId());
    if (listing.pollInterval() != null) {
      context.callAsync(this::list, this::onListed, 0L, listing.pollInterval().toMillis());
    } else if (!listing.updateId().equals(listedUpdateId)) {
      context.callAsync(this::list, this::onListed);
    } else {
      LOG.info(
          "{} '{}': update {} listed its input before a failover; restoring {} pending files.",
          listing.kind(),
          listing.sourceId(),
          listedUpdateId,
          pending.size());
      assignPending();
    }
  }

  private void onListed(@Nullable L found, @Nullable Throwable error) {
    if (error != null) {
      throw listingFailed(error);
    }
    List<S> splits = takeIn(found);
    if (splits == null) {
      return;
    }
    pending.addAll(splits);
    listedUpdateId = listing.updateId();
    assignPending();
  }

  @Override
  public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
    awaiting.add(subtaskId);
    assignPending();
  }

  /**
   * Flink gives back the splits a failed reader was assigned since the checkpoint it restores, that is in
   * this epoch (the admitted counts start again at each completed checkpoint): they were counted when
   * admitted, so they give their share of the budget back, or a reader restarted within the epoch would
   * wait for a checkpoint to be handed them again (forever where none completes).
   */
  @Override
  public void addSplitsBack(List<S> splits, int subtaskId) {
    for (int i = splits.size() - 1; i >= 0; i--) {
      pending.addFirst(splits.get(i));
      admittedFiles = Math.max(0, admittedFiles - 1);
      admittedBytes = Math.max(0, admittedBytes - budget.size().applyAsLong(splits.get(i)));
    }
    awaiting.remove(subtaskId);
    assignPending();
  }

  @Override
  public void addReader(int subtaskId) {
    awaiting.remove(subtaskId);
    assignPending();
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    admittedFiles = 0;
    admittedBytes = 0;
    assignPending();
  }

  @Override
  public void close() {
    if (caughtUp != null) {
      caughtUp.close();
    }
  }

  /** The splits not yet handed out, in order, for the checkpoint. */
  protected final List<S> pendingSplits() {
    return new ArrayList<>(pending);
  }

  /** The update whose listing is in the state ("" before the first), for the checkpoint. */
  protected final String listedUpdateId() {
    return listedUpdateId;
  }

  private void assignPending() {
    Map<Integer, ReaderInfo> readers = context.registeredReaders();
    var waiting = awaiting.iterator();
    while (!pending.isEmpty() && waiting.hasNext() && admits(pending.peek())) {
      int subtask = waiting.next();
      waiting.remove();
      if (readers.containsKey(subtask)) {
        S split = pending.poll();
        admittedFiles++;
        admittedBytes += budget.size().applyAsLong(split);
        context.assignSplit(split, subtask);
      }
    }
    boolean now =
        listing.updateId().equals(listedUpdateId)
            && pending.isEmpty()
            && readers.size() == context.currentParallelism()
            && awaiting.containsAll(readers.keySet());
    caughtUp.update(now);
  }

  /** Whether the epoch's budget admits {@code next}; the first split of an epoch always is. */
  private boolean admits(S next) {
    if (admittedFiles == 0) {
      return true;
    }
    return admittedFiles < budget.maxFiles()
        && admittedBytes + budget.size().applyAsLong(next) <= budget.maxBytes();
  }
}
