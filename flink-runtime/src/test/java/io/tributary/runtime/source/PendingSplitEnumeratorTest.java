package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.runtime.source.PendingSplitEnumerator.EpochBudget;
import io.tributary.runtime.source.PendingSplitEnumerator.Listing;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceSplit;
import org.junit.jupiter.api.Test;

/**
 * The hand-out rule Auto Loader's and the Delta stream's enumerators share: order (returned splits
 * first), the per-epoch budget, when a triggered source lists and when it has caught up, and stale or
 * failed listings.
 */
class PendingSplitEnumeratorTest {

  private final String sourceId = "parts-" + UUID.randomUUID();

  /** A split of {@code bytes} bytes. */
  record Part(String id, long bytes) implements SourceSplit {
    @Override
    public String splitId() {
      return id;
    }
  }

  /** Lists the prepared listings in turn; a listing named "stale" is dropped. */
  private class Parts extends PendingSplitEnumerator<Part, List<Part>, List<Part>> {
    final Deque<List<Part>> listings = new ArrayDeque<>();

    Parts(
        EnumeratorContext<Part> context,
        String updateId,
        @Nullable Duration poll,
        EpochBudget<Part> budget,
        String listedUpdateId,
        List<Part> pending) {
      super(
          context,
          new Listing("Test source", sourceId, updateId, poll),
          budget,
          listedUpdateId,
          pending);
    }

    @Override
    protected List<Part> list() {
      return listings.poll();
    }

    @Override
    protected List<Part> takeIn(List<Part> found) {
      return found.stream().anyMatch(p -> p.id().equals("stale")) ? null : found;
    }

    @Override
    protected RuntimeException listingFailed(Throwable error) {
      return new IllegalStateException("listing failed: " + error.getMessage(), error);
    }

    @Override
    public List<Part> snapshotState(long checkpointId) {
      return pendingSplits();
    }
  }

  @SafeVarargs
  private Parts triggered(
      EnumeratorContext<Part> context, String updateId, List<Part>... listings) {
    Parts parts =
        new Parts(context, updateId, null, EpochBudget.files(Integer.MAX_VALUE), "", List.of());
    parts.listings.addAll(List.of(listings));
    return parts;
  }

  private static Part part(String id) {
    return new Part(id, 10);
  }

  @Test
  void splitsOfAFailedReaderGoBackBeforeEveryOtherPendingSplitAndInTheirOrder() throws Throwable {
    EnumeratorContext<Part> context = new EnumeratorContext<>(2);
    Parts parts = triggered(context, "u1", List.of(part("a"), part("b"), part("c"), part("d")));
    parts.start();
    context.registerReaders(2);
    context.runNextOneTimeCallable();
    parts.handleSplitRequest(0, null);
    parts.handleSplitRequest(0, null);
    assertThat(context.assigned()).containsExactly(part("a"), part("b"));

    context.unregisterReader(0);
    parts.addSplitsBack(List.of(part("a"), part("b")), 0);
    assertThat(parts.snapshotState(1)).containsExactly(part("a"), part("b"), part("c"), part("d"));
    context.registerReader(new ReaderInfo(0, "localhost"));
    parts.addReader(0);
    parts.handleSplitRequest(1, null);
    parts.handleSplitRequest(0, null);
    assertThat(context.assigned()).containsExactly(part("a"), part("b"), part("a"), part("b"));
  }

  @Test
  void anEpochAdmitsItsBudgetButAlwaysItsFirstSplitAndACompletedCheckpointAdmitsMore()
      throws Throwable {
    EnumeratorContext<Part> context = new EnumeratorContext<>(1);
    List<Part> found =
        List.of(
            new Part("big", 100),
            new Part("small-1", 10),
            new Part("small-2", 10),
            new Part("small-3", 10));
    Parts parts =
        new Parts(context, "u1", null, new EpochBudget<>(2, 50, Part::bytes), "", List.of());
    parts.listings.add(found);
    parts.start();
    context.registerReaders(1);
    context.runNextOneTimeCallable();
    for (int i = 0; i < 3; i++) {
      parts.handleSplitRequest(0, null);
    }
    assertThat(context.assigned()).containsExactly(found.get(0));

    parts.notifyCheckpointComplete(1);
    for (int i = 0; i < 3; i++) {
      parts.handleSplitRequest(0, null);
    }
    assertThat(context.assigned()).containsExactly(found.get(0), found.get(1), found.get(2));
    parts.notifyCheckpointComplete(2);
    assertThat(context.assigned()).containsExactly(found.toArray(Part[]::new));
  }

  /**
   * A split a failed reader gives back was admitted once, in the epoch it failed in: it goes out again
   * to the restarted reader without waiting for a checkpoint. It used to count against the epoch's budget
   * twice, so with {@code maxFilesPerTrigger=1} the restarted reader waited for a checkpoint to complete,
   * and where none completes (checkpointing off, or every checkpoint failing) it waited forever: a
   * triggered update whose job sat idle after its first restart, its source waiting for a split and
   * never caught up.
   */
  @Test
  void aSplitGivenBackByAFailedReaderGoesOutAgainWithoutWaitingForACheckpoint() throws Throwable {
    EnumeratorContext<Part> context = new EnumeratorContext<>(1);
    Parts parts = new Parts(context, "u1", null, EpochBudget.files(1), "", List.of());
    parts.listings.add(List.of(part("a"), part("b")));
    parts.start();
    context.registerReaders(1);
    context.runNextOneTimeCallable();
    parts.handleSplitRequest(0, null);
    assertThat(context.assigned()).containsExactly(part("a"));

    // the reader fails on "a"; Flink gives "a" back, and the restarted reader registers and asks
    context.unregisterReader(0);
    parts.addSplitsBack(List.of(part("a")), 0);
    context.registerReader(new ReaderInfo(0, "localhost"));
    parts.addReader(0);
    parts.handleSplitRequest(0, null);
    assertThat(context.assigned()).containsExactly(part("a"), part("a"));

    // the epoch's budget is still one file: "b" waits for the next completed checkpoint
    parts.handleSplitRequest(0, null);
    assertThat(context.assigned()).containsExactly(part("a"), part("a"));
    parts.notifyCheckpointComplete(1);
    assertThat(context.assigned()).containsExactly(part("a"), part("a"), part("b"));
  }

  /** The byte budget too: a returned split gives back the bytes it was admitted with. */
  @Test
  void aSplitGivenBackByAFailedReaderGivesBackItsBytes() throws Throwable {
    EnumeratorContext<Part> context = new EnumeratorContext<>(1);
    Parts parts =
        new Parts(
            context,
            "u1",
            null,
            new EpochBudget<>(Integer.MAX_VALUE, 15, Part::bytes),
            "",
            List.of());
    parts.listings.add(List.of(part("a"), part("b")));
    parts.start();
    context.registerReaders(1);
    context.runNextOneTimeCallable();
    parts.handleSplitRequest(0, null);
    context.unregisterReader(0);
    parts.addSplitsBack(List.of(part("a")), 0);
    context.registerReader(new ReaderInfo(0, "localhost"));
    parts.addReader(0);
    parts.handleSplitRequest(0, null);
    parts.handleSplitRequest(0, null);
    assertThat(context.assigned()).containsExactly(part("a"), part("a"));
  }

  @Test
  void aTriggeredSourceCatchesUpOnceItsListingIsInNothingIsPendingAndEveryReaderWaits()
      throws Throwable {
    EnumeratorContext<Part> context = new EnumeratorContext<>(2);
    Parts parts = triggered(context, "u1", List.of(part("a")));
    parts.start();
    context.registerReaders(2);
    parts.handleSplitRequest(0, null);
    parts.handleSplitRequest(1, null);
    assertThat(context.caughtUp()).isZero(); // nothing pending, but the update's listing is not in

    context.runNextOneTimeCallable();
    assertThat(context.assigned()).containsExactly(part("a"));
    assertThat(context.caughtUp()).isZero(); // reader 0 reads "a"
    assertThat(CaughtUpRegistry.await("u1", sourceId)).isNotDone();
    parts.handleSplitRequest(0, null);
    assertThat(context.caughtUp()).isEqualTo(1);
    assertThat(CaughtUpRegistry.await("u1", sourceId)).isCompleted();
    assertThat(parts.listedUpdateId()).isEqualTo("u1");
  }

  @Test
  void aRestoreWithinTheListedUpdateDoesNotListAgainAndAFollowingUpdateDoes() throws Throwable {
    EnumeratorContext<Part> same = new EnumeratorContext<>(1);
    Parts restored = new Parts(same, "u1", null, EpochBudget.files(10), "u1", List.of(part("p")));
    restored.start();
    same.registerReaders(1);
    assertThat(same.getOneTimeCallables()).isEmpty();
    restored.handleSplitRequest(0, null);
    restored.handleSplitRequest(0, null);
    assertThat(same.assigned()).containsExactly(part("p"));
    assertThat(same.caughtUp()).isEqualTo(1);

    EnumeratorContext<Part> next = new EnumeratorContext<>(1);
    Parts following = new Parts(next, "u2", null, EpochBudget.files(10), "u1", List.of());
    following.start();
    assertThat(next.getOneTimeCallables()).hasSize(1);
  }

  @Test
  void aContinuousSourceListsEveryIntervalAndDropsAStaleListing() throws Throwable {
    EnumeratorContext<Part> context = new EnumeratorContext<>(1);
    Parts parts =
        new Parts(context, "u1", Duration.ofSeconds(5), EpochBudget.files(10), "", List.of());
    parts.listings.addAll(List.of(List.of(part("stale")), List.of(part("a"))));
    parts.start();
    context.registerReaders(1);
    assertThat(context.getPeriodicCallables()).hasSize(1);
    context.runPeriodicCallable(0);
    assertThat(parts.listedUpdateId()).isEmpty();
    context.runPeriodicCallable(0);
    parts.handleSplitRequest(0, null);
    assertThat(context.assigned()).containsExactly(part("a"));
    assertThat(parts.listedUpdateId()).isEqualTo("u1");
  }

  @Test
  void aFailedListingFailsWithTheSubclassError() {
    EnumeratorContext<Part> context = new EnumeratorContext<>(1);
    Parts parts =
        new Parts(context, "u1", null, EpochBudget.files(10), "", List.of()) {
          @Override
          protected List<Part> list() {
            throw new IllegalArgumentException("no such folder");
          }
        };
    parts.start();
    assertThatThrownBy(context::runNextOneTimeCallable)
        .hasMessage("listing failed: no such folder");
  }
}
