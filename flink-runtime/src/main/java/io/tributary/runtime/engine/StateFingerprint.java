package io.tributary.runtime.engine;

import io.tributary.dsl.Secrets;
import io.tributary.dsl.plan.AppendFlowSpec;
import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.Query;
import io.tributary.dsl.plan.ReadMode;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.translate.IncrementalAggregation;
import io.tributary.runtime.translate.PlannedJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;

/**
 * What of a streaming job's plan its saved state depends on: per dataset, its source or query, its
 * reads (not its lookups, which keep no state), its deduplication keys and its row type. Stored beside the job's savepoint pointer and
 * compared before the next update restores it, so a change that makes the state unusable (a source
 * added or removed, a key changed) is reported before the job starts, with the fix. Expectations,
 * comments and properties hold no state and are left out. A row type that only gained nullable
 * columns (its columns kept, in their order) is not a difference: that is how Auto Loader's
 * {@code addNewColumns} evolves a source, and the state kept by Tributary's operators (keys,
 * positions, CDC rows through {@code EvolvingRowDataSerializer}) survives it. A change inside a
 * {@code query} lambda cannot be seen here: Flink's restore then fails, and {@link JobLauncher}
 * words that failure.
 *
 * <p>Each append flow has its own lines ({@code flow <name> …}): a flow added since the state was
 * saved is no difference (its sources start from nothing, the others restore their positions); a
 * flow removed or changed is.
 *
 * <p>Its entries are typed ({@link DatasetEntry}, {@link FlowEntry}); stored as one line each, in the
 * text format of earlier versions, which {@link #parse} still reads.
 */
record StateFingerprint(List<Entry> entries) {

  StateFingerprint {
    entries = List.copyOf(entries);
  }

  /** One thing the state depends on; {@link #text()} is its stored line. */
  sealed interface Entry permits DatasetEntry, FlowEntry, UnknownEntry {
    String text();
  }

  /** What of a dataset an entry describes, with the words that introduce it in the stored line. */
  enum Aspect {
    QUERIES(" "),
    READS(" reads "),
    DROP_DUPLICATES(" drop duplicates "),
    APPLY_CHANGES(" apply changes keys "),
    SCHEMA(" schema "),
    /**
     * How an incremental materialized table's job aggregates ({@link IncrementalAggregation#stateShape})
     * and which columns of its inputs it reads, where not all.
     */
    AGGREGATION(" aggregation ");

    private final String words;

    Aspect(String words) {
      this.words = words;
    }
  }

  /** An aspect of a dataset written by the job, such as its dedup keys; a SCHEMA value is a row type. */
  record DatasetEntry(String dataset, Aspect aspect, String value) implements Entry {
    @Override
    public String text() {
      return dataset + aspect.words + value;
    }
  }

  /**
   * An append flow of the job: its target, queries and reads ({@code definition}) and its row type.
   */
  record FlowEntry(String flow, String definition, String schema) implements Entry {
    @Override
    public String text() {
      return FLOW + flow + " " + definition + SCHEMA_WORDS + schema;
    }
  }

  /** A stored line of a form this version does not know: compared as text. */
  record UnknownEntry(String text) implements Entry {}

  private static final String FLOW = "flow ";

  /** The aggregation plan of an incremental table without mini-batches, as its fingerprint names it. */
  private static final String PLAIN_AGGREGATE = "plain group aggregate";

  /** What separates, in an aggregation entry, the columns an incremental table's job reads. */
  private static final String COLUMNS_READ = "; reads only the columns ";

  private static final String SCHEMA_WORDS = " schema ";

  static StateFingerprint of(ResolvedPlan plan, PlannedJob job) {
    return of(plan, job, Map.of());
  }

  /** {@code job}'s fingerprint when the pipeline's Flink options are {@code flinkOptions}. */
  static StateFingerprint of(ResolvedPlan plan, PlannedJob job, Map<String, String> flinkOptions) {
    List<Entry> entries = new ArrayList<>();
    List<String> flows = job.flows().stream().sorted().toList();
    for (String name :
        job.datasets().stream().sorted().toList()) { // declaration order holds no state
      if (job.once()) {
        continue; // its one flow is described below
      }
      DatasetSpec dataset = plan.plan().dataset(name).orElseThrow();
      entries.add(
          new DatasetEntry(
              name,
              Aspect.QUERIES,
              dataset.queries().stream().map(StateFingerprint::identity).toList().toString()));
      entries.add(
          new DatasetEntry(
              name, Aspect.READS, stateful(plan.plan().queryInputsOf(name)).toString()));
      entries.add(
          new DatasetEntry(name, Aspect.DROP_DUPLICATES, dataset.dropDuplicatesKeys().toString()));
      plan.plan().applyChanges().stream()
          .filter(a -> a.target().equals(name))
          .forEach(
              a ->
                  entries.add(
                      new DatasetEntry(
                          name,
                          Aspect.APPLY_CHANGES,
                          a.keys()
                              + " sequence by "
                              + a.sequenceBy()
                              + " scd type "
                              + a.scdType())));
      entries.add(new DatasetEntry(name, Aspect.SCHEMA, plan.schema(name).asSerializableString()));
      if (job.mode() == PlannedJob.Mode.STREAMING
          && dataset.kind() == DatasetKind.MATERIALIZED_TABLE) {
        // none for the plain GroupAggregate of earlier versions, so their state is still restored
        aggregation(plan, name, flinkOptions)
            .ifPresent(shape -> entries.add(new DatasetEntry(name, Aspect.AGGREGATION, shape)));
      }
    }
    for (String name : flows) {
      AppendFlowSpec flow = plan.plan().appendFlow(name).orElseThrow();
      entries.add(
          new FlowEntry(
              name,
              "into "
                  + flow.target().orElseThrow()
                  + " "
                  + flow.queries().stream().map(StateFingerprint::identity).toList()
                  + " reads "
                  + stateful(plan.plan().inputsOf(name)),
              plan.schema(name).asSerializableString()));
    }
    return new StateFingerprint(entries).redacted(plan, flinkOptions);
  }

  /**
   * The plan incremental table {@code dataset}'s state belongs to: how it aggregates
   * ({@link IncrementalAggregation#stateShape}) and which columns of its inputs it reads, where not
   * all ({@link io.tributary.runtime.analysis.Refresh#columnsRead}): its job's operators are laid out
   * by both.
   */
  private static Optional<String> aggregation(
      ResolvedPlan plan, String dataset, Map<String, String> flinkOptions) {
    Optional<String> shape = IncrementalAggregation.stateShape(flinkOptions);
    Map<String, List<String>> read = plan.refresh(dataset).columnsRead();
    if (read.isEmpty()) {
      return shape;
    }
    return Optional.of(shape.orElse(PLAIN_AGGREGATE) + COLUMNS_READ + new TreeMap<>(read));
  }

  /**
   * A stored fingerprint as {@link #of} makes it: with the pipeline's secrets redacted, which earlier
   * builds did not do.
   */
  static StateFingerprint saved(String text, ResolvedPlan plan, Map<String, String> flinkOptions) {
    return parse(text).redacted(plan, flinkOptions);
  }

  /**
   * This fingerprint with every value of a secret setting ({@link Secrets}) of the pipeline's
   * configuration or Flink options shown as {@value Secrets#REDACTED}: a query may quote one (a
   * password spliced into its SQL), and the fingerprint is stored beside the state in plain text.
   */
  private StateFingerprint redacted(ResolvedPlan plan, Map<String, String> flinkOptions) {
    Map<String, String> settings = new java.util.HashMap<>(plan.plan().configuration());
    settings.putAll(flinkOptions);
    return redacted(settings);
  }

  /** This fingerprint with the values of the secrets among {@code settings} redacted. */
  StateFingerprint redacted(Map<String, String> settings) {
    String text = text();
    String redacted = Secrets.redact(text, settings);
    return redacted.equals(text) ? this : parse(redacted);
  }

  /**
   * The reads a job's state depends on: a lookup join keeps no state (its table is loaded again when
   * the job starts), so adding or removing one is no difference.
   */
  private static List<String> stateful(List<Input> reads) {
    return reads.stream().filter(i -> i.mode() != ReadMode.LOOKUP).map(Input::describe).toList();
  }

  /** What of a query its state depends on: a source by its identity, so changing its options keeps it. */
  private static String identity(Query query) {
    return query.match(
        read -> query.describe(),
        source -> "from " + source.source().stateIdentity(),
        api -> query.describe(),
        sql -> query.describe());
  }

  /** A fingerprint of stored lines, as {@link #parse} reads them. */
  static StateFingerprint ofLines(List<String> lines) {
    return new StateFingerprint(lines.stream().map(StateFingerprint::entry).toList());
  }

  /** Reads a stored fingerprint: one entry a line, as every version so far wrote them. */
  static StateFingerprint parse(String text) {
    return ofLines(text.lines().filter(line -> !line.isBlank()).toList());
  }

  /**
   * The entry a stored line holds. A dataset's name is the line's first word (names are identifiers);
   * a flow's row type is what follows the last " schema ROW<" (a row type is always a ROW, and the
   * flow's queries before it may hold the word schema).
   */
  private static Entry entry(String line) {
    if (line.startsWith(FLOW)) {
      String rest = line.substring(FLOW.length());
      int space = rest.indexOf(' ');
      int schema = rest.lastIndexOf(SCHEMA_WORDS + "ROW<");
      if (space < 0 || schema <= space) {
        return new UnknownEntry(line);
      }
      return new FlowEntry(
          rest.substring(0, space),
          rest.substring(space + 1, schema),
          rest.substring(schema + SCHEMA_WORDS.length()));
    }
    int space = line.indexOf(' ');
    if (space <= 0) {
      return new UnknownEntry(line);
    }
    String dataset = line.substring(0, space);
    for (Aspect aspect :
        List.of(
            Aspect.READS,
            Aspect.DROP_DUPLICATES,
            Aspect.APPLY_CHANGES,
            Aspect.SCHEMA,
            Aspect.AGGREGATION)) {
      if (line.startsWith(aspect.words, space)) {
        return new DatasetEntry(dataset, aspect, line.substring(space + aspect.words.length()));
      }
    }
    return new DatasetEntry(dataset, Aspect.QUERIES, line.substring(space + 1));
  }

  /**
   * The difference from {@code saved} in how an incremental table's job aggregates and which columns
   * it reads, as "was … now …", when that is the only difference.
   */
  Optional<String> aggregationDifferenceFrom(StateFingerprint saved) {
    if (withoutAggregation().differenceFrom(saved.withoutAggregation()).isPresent()) {
      return Optional.empty();
    }
    String[] was = saved.aggregation().orElse(PLAIN_AGGREGATE).split(COLUMNS_READ, 2);
    String[] now = aggregation().orElse(PLAIN_AGGREGATE).split(COLUMNS_READ, 2);
    List<String> differences = new ArrayList<>();
    if (!was[0].equals(now[0])) {
      differences.add("was " + was[0] + ", now " + now[0]);
    }
    String columnsWas =
        was.length > 1 ? "only the columns " + was[1] : "every column of its inputs";
    String columnsNow =
        now.length > 1 ? "only the columns " + now[1] : "every column of its inputs";
    if (!columnsWas.equals(columnsNow)) {
      differences.add("its job read " + columnsWas + ", now " + columnsNow);
    }
    return differences.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", differences));
  }

  private StateFingerprint withoutAggregation() {
    return new StateFingerprint(
        entries.stream()
            .filter(e -> !(e instanceof DatasetEntry d && d.aspect() == Aspect.AGGREGATION))
            .toList());
  }

  private Optional<String> aggregation() {
    return entries.stream()
        .filter(e -> e instanceof DatasetEntry d && d.aspect() == Aspect.AGGREGATION)
        .map(e -> ((DatasetEntry) e).value())
        .findFirst();
  }

  /** The stored lines, one per entry. */
  List<String> lines() {
    return entries.stream().map(Entry::text).toList();
  }

  String text() {
    return String.join("\n", lines()) + "\n";
  }

  private Set<String> flowNames() {
    return entries.stream()
        .filter(e -> e instanceof FlowEntry)
        .map(e -> ((FlowEntry) e).flow())
        .collect(Collectors.toSet());
  }

  /** The first entry that differs from {@code saved}, as "was … now …", or empty when they agree. */
  Optional<String> differenceFrom(StateFingerprint saved) {
    Set<String> savedFlows = saved.flowNames();
    List<Entry> current =
        entries.stream()
            .filter(e -> !(e instanceof FlowEntry flow) || savedFlows.contains(flow.flow()))
            .toList();
    Set<String> flows = new StateFingerprint(current).flowNames();
    Optional<Entry> removed =
        saved.entries.stream()
            .filter(e -> e instanceof FlowEntry flow && !flows.contains(flow.flow()))
            .findFirst();
    if (removed.isPresent()) {
      return Optional.of("was \"" + removed.get().text() + "\", now \"(nothing)\"");
    }
    int size = Math.max(current.size(), saved.entries.size());
    for (int i = 0; i < size; i++) {
      Optional<Entry> now = i < current.size() ? Optional.of(current.get(i)) : Optional.empty();
      Optional<Entry> was =
          i < saved.entries.size() ? Optional.of(saved.entries.get(i)) : Optional.empty();
      if (!now.map(Entry::text).equals(was.map(Entry::text))
          && !(now.isPresent() && was.isPresent() && isAddedColumns(was.get(), now.get()))) {
        return Optional.of(
            "was \""
                + was.map(Entry::text).orElse("(nothing)")
                + "\", now \""
                + now.map(Entry::text).orElse("(nothing)")
                + "\"");
      }
    }
    return Optional.empty();
  }

  /** Whether two entries are one dataset's or flow's row type, differing only by nullable columns added in {@code now}. */
  private static boolean isAddedColumns(Entry was, Entry now) {
    if (was instanceof DatasetEntry before
        && now instanceof DatasetEntry after
        && before.aspect() == Aspect.SCHEMA
        && after.aspect() == Aspect.SCHEMA
        && before.dataset().equals(after.dataset())) {
      return isAddedColumns(before.value(), after.value());
    }
    if (was instanceof FlowEntry before
        && now instanceof FlowEntry after
        && before.flow().equals(after.flow())
        && before.definition().equals(after.definition())) {
      return isAddedColumns(before.schema(), after.schema());
    }
    return false;
  }

  /** Whether row type {@code now} is {@code was} with nullable columns added among or after its own. */
  private static boolean isAddedColumns(String was, String now) {
    LogicalType before;
    LogicalType after;
    try {
      before = LogicalTypeParser.parse(was, StateFingerprint.class.getClassLoader());
      after = LogicalTypeParser.parse(now, StateFingerprint.class.getClassLoader());
    } catch (RuntimeException notAType) { // compared as text
      return false;
    }
    if (!(before instanceof RowType old)
        || !(after instanceof RowType evolved)
        || old.isNullable() != evolved.isNullable()
        || evolved.getFieldCount() <= old.getFieldCount()) {
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
