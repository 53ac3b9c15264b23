package io.tributary.runtime.engine;

import io.tributary.dsl.plan.AppendFlowSpec;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.Query;
import io.tributary.dsl.plan.ReadMode;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.translate.PlannedJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What of a streaming job's plan its saved state depends on: per dataset, its source or query, its
 * reads (not its lookups, which keep no state), its deduplication keys and its row type. Stored beside the job's savepoint pointer and
 * compared before the next update restores it, so a change that makes the state unusable (a source
 * added or removed, a key changed) is reported before the job starts, with the fix. Expectations,
 * comments and properties hold no state and are left out. A row type that only gained nullable
 * columns (its columns kept, in their order) is not a difference: that is how Auto Loader's
 * {@code addNewColumns} evolves a source, and the state kept by Tributary's operators (keys,
 * positions, CDC rows through {@code EvolvingRowDataSerializer}) survives it. A change inside a
 * {@code query} lambda cannot be seen here: Flink's restore then fails, and {@link UpdateRunner}
 * words that failure.
 *
 * <p>Each append flow has its own lines ({@code flow <name> …}): a flow added since the state was
 * saved is no difference (its sources start from nothing, the others restore their positions); a
 * flow removed or changed is.
 */
record StateFingerprint(List<String> lines) {

  StateFingerprint {
    lines = List.copyOf(lines);
  }

  static StateFingerprint of(ResolvedPlan plan, PlannedJob job) {
    List<String> lines = new ArrayList<>();
    List<String> flows = job.flows().stream().sorted().toList();
    for (String name : job.datasets().stream().sorted().toList()) { // declaration order holds no state
      if (job.once()) {
        continue; // its one flow is described below
      }
      DatasetSpec dataset = plan.plan().dataset(name).orElseThrow();
      lines.add(name + " " + dataset.queries().stream().map(StateFingerprint::identity).toList());
      lines.add(name + " reads " + stateful(plan.plan().queryInputsOf(name)));
      lines.add(name + " drop duplicates " + dataset.dropDuplicatesKeys());
      plan.plan().applyChanges().stream().filter(a -> a.target().equals(name))
          .forEach(a -> lines.add(name + " apply changes keys " + a.keys() + " sequence by " + a.sequenceBy()
              + " scd type " + a.scdType()));
      lines.add(name + " schema " + plan.schema(name).asSerializableString());
    }
    for (String name : flows) {
      AppendFlowSpec flow = plan.plan().appendFlow(name).orElseThrow();
      lines.add(FLOW + name + " into " + flow.target().orElseThrow() + " "
          + flow.queries().stream().map(StateFingerprint::identity).toList() + " reads "
          + stateful(plan.plan().inputsOf(name)) + " schema "
          + plan.schema(name).asSerializableString());
    }
    return new StateFingerprint(lines);
  }

  private static final String FLOW = "flow ";

  /**
   * The reads a job's state depends on: a lookup join keeps no state (its table is loaded again when
   * the job starts), so adding or removing one is no difference.
   */
  private static List<String> stateful(List<Input> reads) {
    return reads.stream().filter(i -> i.mode() != ReadMode.LOOKUP).map(Input::describe).toList();
  }

  /** What of a query its state depends on: a source by its identity, so changing its options keeps it. */
  private static String identity(Query query) {
    return query instanceof Query.SourceRead read ? "from " + read.source().stateIdentity() : query.describe();
  }

  private static String flowOf(String line) {
    return line.substring(FLOW.length()).split(" ", 2)[0];
  }

  static StateFingerprint parse(String text) {
    return new StateFingerprint(text.lines().filter(line -> !line.isBlank()).toList());
  }

  String text() {
    return String.join("\n", lines) + "\n";
  }

  /** The first line that differs from {@code saved}, as "was … now …", or empty when they agree. */
  Optional<String> differenceFrom(StateFingerprint saved) {
    Set<String> savedFlows = saved.lines.stream().filter(l -> l.startsWith(FLOW)).map(StateFingerprint::flowOf)
        .collect(Collectors.toSet());
    List<String> lines = this.lines.stream()
        .filter(l -> !l.startsWith(FLOW) || savedFlows.contains(flowOf(l))).toList();
    Set<String> flows = lines.stream().filter(l -> l.startsWith(FLOW)).map(StateFingerprint::flowOf)
        .collect(Collectors.toSet());
    Optional<String> removed = saved.lines.stream().filter(l -> l.startsWith(FLOW) && !flows.contains(flowOf(l)))
        .findFirst();
    if (removed.isPresent()) {
      return Optional.of("was \"" + removed.get() + "\", now \"(nothing)\"");
    }
    int size = Math.max(lines.size(), saved.lines.size());
    for (int i = 0; i < size; i++) {
      String now = i < lines.size() ? lines.get(i) : "(nothing)";
      String was = i < saved.lines.size() ? saved.lines.get(i) : "(nothing)";
      if (!now.equals(was) && !isAddedColumns(was, now)) {
        return Optional.of("was \"" + was + "\", now \"" + now + "\"");
      }
    }
    return Optional.empty();
  }

  private static final String SCHEMA = " schema ";

  /** Whether two schema lines of one dataset differ only by nullable columns added in {@code now}. */
  static boolean isAddedColumns(String was, String now) {
    int wasAt = was.indexOf(SCHEMA);
    int nowAt = now.indexOf(SCHEMA);
    if (wasAt < 0 || nowAt < 0 || !was.substring(0, wasAt).equals(now.substring(0, nowAt))) {
      return false;
    }
    LogicalType before;
    LogicalType after;
    try {
      before = LogicalTypeParser.parse(was.substring(wasAt + SCHEMA.length()), StateFingerprint.class.getClassLoader());
      after = LogicalTypeParser.parse(now.substring(nowAt + SCHEMA.length()), StateFingerprint.class.getClassLoader());
    } catch (RuntimeException notAType) { // a dataset whose name holds " schema ": compared as text
      return false;
    }
    if (!(before instanceof RowType old) || !(after instanceof RowType evolved)
        || old.isNullable() != evolved.isNullable() || evolved.getFieldCount() <= old.getFieldCount()) {
      return false;
    }
    int next = 0; // the old fields, in their order, with nullable new ones among or after them
    for (RowType.RowField field : evolved.getFields()) {
      if (next < old.getFieldCount() && field.equals(old.getFields().get(next))) {
        next++;
      } else if (old.getFieldNames().contains(field.getName()) || !field.getType().isNullable()) {
        return false;
      }
    }
    return next == old.getFieldCount();
  }
}
