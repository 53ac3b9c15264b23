package io.tributary.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;

/**
 * Random change feeds (deletes, truncates, exact duplicates, NULLs, ties) shuffled into random
 * micro-batches converge to an independent model that applies the changes sorted by sequence, for SCD
 * type 1 and type 2, through {@link InMemoryApplyChanges} (the pure mergers) and through the keyed functions (with checkpoints and
 * restores between batches). The final target is obtained by applying the emitted changelog by key.
 */
class CdcConvergenceTest {

  enum Kind {
    UPSERT,
    DELETE,
    TRUNCATE
  }

  record Change(int id, long seq, Kind kind, String name, String email) {
    RowData row() {
      return GenericRowData.of(
          id, str(name), str(email), seq, kind == Kind.DELETE, kind == Kind.TRUNCATE);
    }
  }

  private static StringData str(String s) {
    return s == null ? null : StringData.fromString(s);
  }

  @Provide
  Arbitrary<List<Change>> feeds() {
    Arbitrary<Change> change =
        Combinators.combine(
                Arbitraries.integers().between(1, 3),
                Arbitraries.longs().between(1, 14),
                Arbitraries.of(Kind.UPSERT, Kind.UPSERT, Kind.UPSERT, Kind.DELETE),
                Arbitraries.of("a", "b", "c").injectNull(0.3),
                Arbitraries.of("x", "y").injectNull(0.3))
            .as(Change::new);
    return change.list().ofMaxSize(25);
  }

  /**
   * At most one upsert and one delete per key and sequence (two different upserts sharing a sequence
   * are a fault of the feed), then some exact duplicates, and optionally truncates.
   */
  private static List<Change> normalize(List<Change> raw, Random random, boolean truncates) {
    Map<String, Change> unique = new LinkedHashMap<>();
    for (Change c : raw) {
      unique.putIfAbsent(c.id() + "/" + c.seq() + "/" + c.kind(), c);
    }
    List<Change> feed = new ArrayList<>(unique.values());
    if (truncates && random.nextInt(2) == 0) {
      feed.add(new Change(0, 1 + random.nextInt(14), Kind.TRUNCATE, null, null));
    }
    int duplicates = feed.isEmpty() ? 0 : random.nextInt(feed.size() / 2 + 1);
    for (int i = 0; i < duplicates; i++) {
      feed.add(feed.get(random.nextInt(feed.size())));
    }
    return feed;
  }

  /** The feed shuffled, then cut into 1..n non-empty batches. */
  private static List<List<Change>> batches(List<Change> feed, Random random) {
    List<Change> shuffled = new ArrayList<>(feed);
    Collections.shuffle(shuffled, random);
    List<List<Change>> batches = new ArrayList<>();
    List<Change> current = new ArrayList<>();
    for (Change c : shuffled) {
      current.add(c);
      if (random.nextInt(4) == 0) {
        batches.add(current);
        current = new ArrayList<>();
      }
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }

  /** Sequence order; at an equal sequence deletes and truncates come after upserts (they win). */
  private static List<Change> sorted(List<Change> feed) {
    List<Change> sorted = new ArrayList<>(feed);
    sorted.sort(Comparator.comparingLong(Change::seq).thenComparing(c -> c.kind() != Kind.UPSERT));
    return sorted;
  }

  // ---- SCD type 1 ----

  private static CdcLayout scd1Layout(boolean ignoreNulls) {
    return CdcLayout.of(Fixtures.spec().withIgnoreNullUpdates(ignoreNulls), Fixtures.SOURCE);
  }

  /** The model: apply sorted changes one by one to a map. */
  private static List<String> scd1Model(List<Change> feed, CdcLayout layout) {
    Map<Integer, Change> rows = new TreeMap<>();
    for (Change c : sorted(feed)) {
      switch (c.kind()) {
        case TRUNCATE -> rows.clear();
        case DELETE -> rows.remove(c.id());
        case UPSERT -> {
          Change old = rows.get(c.id());
          boolean fill = layout.ignoreNullUpdates() && old != null;
          rows.put(
              c.id(),
              new Change(
                  c.id(),
                  c.seq(),
                  c.kind(),
                  c.name() == null && fill ? old.name() : c.name(),
                  c.email() == null && fill ? old.email() : c.email()));
        }
      }
    }
    return rows.values().stream()
        .map(
            c ->
                Rows.describe(
                    GenericRowData.of(c.id(), str(c.name()), str(c.email()), c.seq()),
                    layout.targetType()))
        .sorted()
        .toList();
  }

  @Property(tries = 400)
  void scd1BatchesConvergeToTheSortedResult(
      @ForAll("feeds") List<Change> raw, @ForAll Random random, @ForAll boolean ignoreNulls) {
    CdcLayout layout = scd1Layout(ignoreNulls);
    List<Change> feed = normalize(raw, random, true);
    List<String> expected = scd1Model(feed, layout);
    assertThat(inMemory(layout, batches(feed, random))).isEqualTo(expected);
    assertThat(inMemory(layout, List.of(sorted(feed)))).isEqualTo(expected);
  }

  /** Through {@link InMemoryApplyChanges}; each batch lists every touched target row once. */
  private static List<String> inMemory(CdcLayout layout, List<List<Change>> batches) {
    InMemoryApplyChanges flow = new InMemoryApplyChanges(layout);
    ChangelogTable table = new ChangelogTable(layout);
    for (List<Change> batch : batches) {
      List<RowData> changes = flow.apply(batch.stream().map(Change::row).toList());
      List<String> keys =
          changes.stream()
              .map(r -> Rows.project(r, layout.targetType(), layout.targetKeyIndexes()).toString())
              .toList();
      assertThat(keys).doesNotHaveDuplicates();
      table.applyAll(changes);
    }
    return Fixtures.render(table.rows(), layout.targetType());
  }

  @Property(tries = 120)
  void scd1FunctionConvergesWithTruncatesAndRestores(
      @ForAll("feeds") List<Change> raw, @ForAll Random random, @ForAll boolean ignoreNulls)
      throws Exception {
    scd1Function(raw, random, ignoreNulls, null);
  }

  @Property(tries = 25)
  void scd1FunctionConvergesOnRocksDb(
      @ForAll("feeds") List<Change> raw, @ForAll Random random, @ForAll boolean ignoreNulls)
      throws Exception {
    scd1Function(raw, random, ignoreNulls, new EmbeddedRocksDBStateBackend());
  }

  private void scd1Function(
      List<Change> raw, Random random, boolean ignoreNulls, StateBackend backend) throws Exception {
    CdcLayout layout = scd1Layout(ignoreNulls);
    List<Change> feed = normalize(raw, random, true);
    var harness = Fixtures.scd1Harness(layout, backend);
    harness.open();
    ChangelogTable table = new ChangelogTable(layout);
    try {
      for (List<Change> batch : batches(feed, random)) {
        for (Change c : batch) {
          if (c.kind() == Kind.TRUNCATE) {
            harness.processBroadcastElement(c.row(), 0);
          } else {
            harness.processElement(c.row(), 0);
          }
        }
        table.applyAll(harness.extractOutputValues());
        harness.getOutput().clear();
        if (random.nextInt(3) == 0) {
          OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
          harness.close();
          harness = Fixtures.scd1Harness(layout, backend);
          harness.initializeState(snapshot);
          harness.open();
        }
      }
    } finally {
      harness.close();
    }
    assertThat(Fixtures.render(table.rows(), layout.targetType()))
        .isEqualTo(scd1Model(feed, layout));
  }

  // ---- SCD type 2 ----

  private static CdcLayout scd2Layout(boolean ignoreNulls, boolean trackAll) {
    return CdcLayout.of(
        Fixtures.spec()
            .withScdType(2)
            .withIgnoreNullUpdates(ignoreNulls)
            .withTrackHistoryColumnList(trackAll ? List.of() : List.of("name")),
        Fixtures.SOURCE);
  }

  /** The model: walk the sorted changes, an upsert tied with a delete of its key being dropped. */
  private static List<String> scd2Model(List<Change> feed, CdcLayout layout, boolean trackAll) {
    Set<String> deletes = new HashSet<>();
    feed.stream()
        .filter(c -> c.kind() == Kind.DELETE)
        .forEach(c -> deletes.add(c.id() + "/" + c.seq()));
    List<String> rows = new ArrayList<>();
    Map<Integer, Change> open = new TreeMap<>();
    Map<Integer, Long> openedAt = new HashMap<>();
    for (Change c : sorted(feed)) {
      Change current = open.get(c.id());
      if (c.kind() == Kind.DELETE) {
        if (current != null) {
          rows.add(version(current, openedAt.get(c.id()), c.seq(), layout));
          open.remove(c.id());
        }
        continue;
      }
      if (deletes.contains(c.id() + "/" + c.seq())) {
        continue;
      }
      boolean fill = layout.ignoreNullUpdates() && current != null;
      Change next =
          new Change(
              c.id(),
              c.seq(),
              c.kind(),
              c.name() == null && fill ? current.name() : c.name(),
              c.email() == null && fill ? current.email() : c.email());
      if (current == null) {
        openedAt.put(c.id(), c.seq());
      } else if (!java.util.Objects.equals(current.name(), next.name())
          || (trackAll && !java.util.Objects.equals(current.email(), next.email()))) {
        rows.add(version(current, openedAt.get(c.id()), c.seq(), layout));
        openedAt.put(c.id(), c.seq());
      }
      open.put(c.id(), next);
    }
    open.forEach((id, c) -> rows.add(version(c, openedAt.get(id), null, layout)));
    return rows.stream().sorted().toList();
  }

  private static String version(Change c, long start, Long end, CdcLayout layout) {
    return Rows.describe(
        GenericRowData.of(c.id(), str(c.name()), str(c.email()), c.seq(), start, end),
        layout.targetType());
  }

  @Property(tries = 400)
  void scd2BatchesConvergeToTheSortedResult(
      @ForAll("feeds") List<Change> raw,
      @ForAll Random random,
      @ForAll boolean ignoreNulls,
      @ForAll boolean trackAll) {
    CdcLayout layout = scd2Layout(ignoreNulls, trackAll);
    List<Change> feed = normalize(raw, random, false);
    List<String> expected = scd2Model(feed, layout, trackAll);
    List<String> actual = inMemory(layout, batches(feed, random));
    assertThat(actual).isEqualTo(expected);
    assertThat(inMemory(layout, List.of(sorted(feed)))).isEqualTo(expected);
    assertOneOpenRowPerLiveKey(actual, feed);
  }

  private static void assertOneOpenRowPerLiveKey(List<String> rows, List<Change> feed) {
    for (int id = 1; id <= 3; id++) {
      int key = id;
      List<Change> ofKey = sorted(feed).stream().filter(c -> c.id() == key).toList();
      boolean live = !ofKey.isEmpty() && ofKey.get(ofKey.size() - 1).kind() == Kind.UPSERT;
      long open =
          rows.stream()
              .filter(r -> r.startsWith("{id=" + key + ",") && r.endsWith("__END_AT=NULL}"))
              .count();
      assertThat(open).as("open rows of key %s", key).isEqualTo(live ? 1 : 0);
    }
  }

  @Property(tries = 120)
  void scd2FunctionConvergesWithRestores(
      @ForAll("feeds") List<Change> raw,
      @ForAll Random random,
      @ForAll boolean ignoreNulls,
      @ForAll boolean trackAll)
      throws Exception {
    scd2Function(raw, random, ignoreNulls, trackAll, null);
  }

  @Property(tries = 25)
  void scd2FunctionConvergesOnRocksDb(
      @ForAll("feeds") List<Change> raw,
      @ForAll Random random,
      @ForAll boolean ignoreNulls,
      @ForAll boolean trackAll)
      throws Exception {
    scd2Function(raw, random, ignoreNulls, trackAll, new EmbeddedRocksDBStateBackend());
  }

  private void scd2Function(
      List<Change> raw, Random random, boolean ignoreNulls, boolean trackAll, StateBackend backend)
      throws Exception {
    CdcLayout layout = scd2Layout(ignoreNulls, trackAll);
    List<Change> feed = normalize(raw, random, false);
    var harness = Fixtures.scd2Harness(layout, backend);
    harness.open();
    ChangelogTable table = new ChangelogTable(layout);
    try {
      for (List<Change> batch : batches(feed, random)) {
        for (Change c : batch) {
          harness.processElement(c.row(), 0);
        }
        table.applyAll(harness.extractOutputValues());
        harness.getOutput().clear();
        if (random.nextInt(3) == 0) {
          OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
          harness.close();
          harness = Fixtures.scd2Harness(layout, backend);
          harness.initializeState(snapshot);
          harness.open();
        }
      }
    } finally {
      harness.close();
    }
    assertThat(Fixtures.render(table.rows(), layout.targetType()))
        .isEqualTo(scd2Model(feed, layout, trackAll));
  }
}
