package io.tributary.cdc;

import io.tributary.dsl.plan.ApplyChangesSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * Where everything an {@code applyChanges} flow needs sits in its rows: derived once from the flow's
 * {@link ApplyChangesSpec} and the source's {@link RowType}, then shared by the mergers, the keyed
 * functions and the sink, so that none of them looks a column up by name at run time.
 *
 * <p>The operator's input rows are the source's columns followed by two BOOLEAN columns the runtime
 * computes before the operator: {@value #IS_DELETE} (from {@code applyAsDeletes}) and
 * {@value #IS_TRUNCATE} (from {@code applyAsTruncates}); both are false when the option is not set.
 * The target's rows are the selected columns, plus {@value #START_AT} and {@value #END_AT} (typed as
 * the sequence: its column, or a ROW of its columns) for SCD type 2.
 *
 * <pre>{@code
 * CdcLayout layout = CdcLayout.of(spec, sourceType);       // after CdcLayout.problems(spec, sourceType) is empty
 * stream.keyBy(layout.keySelector(), layout.keyTypeInfo())
 *       .process(new Scd2Function(layout)).returns(layout.targetTypeInfo());
 * }</pre>
 */
public final class CdcLayout implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Input column: true when the change deletes its key. */
  public static final String IS_DELETE = "__is_delete";

  /** Input column: true when the change empties the target (SCD type 1). */
  public static final String IS_TRUNCATE = "__is_truncate";

  /** SCD type 2 target column: the sequence value at which a version starts. */
  public static final String START_AT = "__START_AT";

  /** SCD type 2 target column: the sequence value at which a version ends; NULL while it is current. */
  public static final String END_AT = "__END_AT";

  private static final Set<LogicalTypeRoot> ORDERED =
      EnumSet.of(
          LogicalTypeRoot.BOOLEAN,
          LogicalTypeRoot.TINYINT,
          LogicalTypeRoot.SMALLINT,
          LogicalTypeRoot.INTEGER,
          LogicalTypeRoot.BIGINT,
          LogicalTypeRoot.FLOAT,
          LogicalTypeRoot.DOUBLE,
          LogicalTypeRoot.DECIMAL,
          LogicalTypeRoot.CHAR,
          LogicalTypeRoot.VARCHAR,
          LogicalTypeRoot.DATE,
          LogicalTypeRoot.TIME_WITHOUT_TIME_ZONE,
          LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE,
          LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE,
          LogicalTypeRoot.BINARY,
          LogicalTypeRoot.VARBINARY);

  private final String target;
  private final int scdType;
  private final boolean ignoreNullUpdates;
  private final RowType sourceType;
  private final int[] keyIndexes;
  private final int[] sequenceIndexes;
  private final int[] selectedIndexes;
  private final int[] trackedIndexes;
  private final int[] keyInTarget;
  private final RowType keyType;
  private final RowType sequenceType;
  private final RowType valuesType;
  private final RowType targetType;
  private transient RowDataSerializer keySerializer;

  private CdcLayout(
      String target,
      int scdType,
      boolean ignoreNullUpdates,
      RowType sourceType,
      int[] keyIndexes,
      int[] sequenceIndexes,
      int[] selectedIndexes,
      int[] trackedIndexes) {
    this.target = target;
    this.scdType = scdType;
    this.ignoreNullUpdates = ignoreNullUpdates;
    this.sourceType = sourceType;
    this.keyIndexes = keyIndexes;
    this.sequenceIndexes = sequenceIndexes;
    this.selectedIndexes = selectedIndexes;
    this.trackedIndexes = trackedIndexes;
    this.keyType = project(sourceType, keyIndexes);
    this.sequenceType = project(sourceType, sequenceIndexes);
    this.valuesType = project(sourceType, selectedIndexes);
    this.keyInTarget = Arrays.stream(keyIndexes).map(k -> indexOf(selectedIndexes, k)).toArray();
    List<RowType.RowField> fields = new ArrayList<>(valuesType.getFields());
    if (scdType == 2) {
      fields.add(new RowType.RowField(START_AT, sequenceValueType().copy(true)));
      fields.add(new RowType.RowField(END_AT, sequenceValueType().copy(true)));
    }
    this.targetType = new RowType(fields);
  }

  /**
   * Every problem of this flow against its source's columns, each a whole message (empty when the
   * flow is valid). The analyzer collects them with the other datasets' problems.
   */
  public static List<String> problems(ApplyChangesSpec spec, RowType sourceType) {
    return resolve(spec, sourceType).problems;
  }

  /**
   * The layout of a valid flow.
   *
   * @throws IllegalArgumentException when {@link #problems} is not empty: callers validate first
   */
  public static CdcLayout of(ApplyChangesSpec spec, RowType sourceType) {
    Resolution r = resolve(spec, sourceType);
    if (!r.problems.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid applyChanges flow (validate with CdcLayout.problems first): "
              + String.join(" | ", r.problems));
    }
    return r.layout;
  }

  private static final class Resolution {
    final List<String> problems = new ArrayList<>();
    CdcLayout layout;
  }

  private static Resolution resolve(ApplyChangesSpec spec, RowType sourceType) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(sourceType, "sourceType");
    Resolution r = new Resolution();
    String target = spec.target();
    List<String> names = sourceType.getFieldNames();
    for (String name : names) {
      if (name.equalsIgnoreCase(START_AT) || name.equalsIgnoreCase(END_AT)) {
        r.problems.add(CdcErrors.reservedColumn(target, name));
      }
      if (name.equalsIgnoreCase(IS_DELETE) || name.equalsIgnoreCase(IS_TRUNCATE)) {
        r.problems.add(CdcErrors.flagColumn(target, name));
      }
    }
    if (spec.scdType() != 1 && spec.scdType() != 2) {
      r.problems.add(CdcErrors.scdType(target, spec.scdType()));
    }
    if (spec.scdType() == 1
        && !(spec.trackHistoryColumnList().isEmpty()
            && spec.trackHistoryExceptColumnList().isEmpty())) {
      r.problems.add(CdcErrors.historyOnType1(target));
    }
    if (spec.keys().isEmpty()) {
      r.problems.add(CdcErrors.missing(target, "keys", "keys(\"column\", …)"));
    }
    if (spec.sequenceBy().isEmpty()) {
      r.problems.add(CdcErrors.missing(target, "sequence column", "sequenceBy(\"column\")"));
    }
    int[] keys = indexes(r, target, "key", spec.keys(), names, "keys(…)");
    int[] sequence = indexes(r, target, "sequence", spec.sequenceBy(), names, "sequenceBy(…)");
    for (int i : sequence) {
      if (i >= 0 && !ORDERED.contains(sourceType.getTypeAt(i).getTypeRoot())) {
        r.problems.add(CdcErrors.unorderedSequence(target, names.get(i), sourceType.getTypeAt(i)));
      }
    }
    int[] selected;
    if (!spec.columnList().isEmpty()) {
      int[] listed = indexes(r, target, "listed", spec.columnList(), names, "columnList(…)");
      selected = Arrays.stream(listed).filter(i -> i >= 0).distinct().sorted().toArray();
    } else {
      int[] except =
          indexes(r, target, "excepted", spec.exceptColumnList(), names, "exceptColumnList(…)");
      selected =
          java.util.stream.IntStream.range(0, names.size())
              .filter(i -> Arrays.stream(except).noneMatch(e -> e == i))
              .toArray();
    }
    List<String> selectedNames = Arrays.stream(selected).mapToObj(names::get).toList();
    for (int k : keys) {
      if (k >= 0 && indexOf(selected, k) < 0) {
        r.problems.add(CdcErrors.keyNotSelected(target, names.get(k), selectedNames));
      }
    }
    int[] tracked = new int[0];
    if (spec.scdType() == 2) {
      tracked = trackedColumns(r, spec, names, keys, sequence, selected, selectedNames);
    }
    if (r.problems.isEmpty()) {
      r.layout =
          new CdcLayout(
              target,
              spec.scdType(),
              spec.ignoreNullUpdates(),
              sourceType,
              keys,
              sequence,
              selected,
              tracked);
    }
    return r;
  }

  /** Tracked columns as positions among the selected ones (the values row). */
  private static int[] trackedColumns(
      Resolution r,
      ApplyChangesSpec spec,
      List<String> names,
      int[] keys,
      int[] sequence,
      int[] selected,
      List<String> selectedNames) {
    String target = spec.target();
    Set<Integer> tracked = new LinkedHashSet<>();
    if (!spec.trackHistoryColumnList().isEmpty()) {
      for (int i :
          indexes(
              r,
              target,
              "history",
              spec.trackHistoryColumnList(),
              names,
              "trackHistoryColumnList(…)")) {
        if (i < 0) {
          continue;
        }
        int position = indexOf(selected, i);
        if (position < 0) {
          r.problems.add(CdcErrors.trackedNotSelected(target, names.get(i), selectedNames));
        } else {
          tracked.add(position);
        }
      }
    } else {
      int[] except =
          indexes(
              r,
              target,
              "history",
              spec.trackHistoryExceptColumnList(),
              names,
              "trackHistoryExceptColumnList(…)");
      for (int p = 0; p < selected.length; p++) {
        int column = selected[p];
        // By default a version is a change of the described columns: keys never change within a
        // key, and the sequence changes with every event, so neither opens a version unless listed
        // explicitly.
        boolean excluded =
            Arrays.stream(except).anyMatch(e -> e == column)
                || Arrays.stream(keys).anyMatch(k -> k == column)
                || Arrays.stream(sequence).anyMatch(s -> s == column);
        if (!excluded) {
          tracked.add(p);
        }
      }
    }
    return tracked.stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  private static int[] indexes(
      Resolution r,
      String target,
      String role,
      List<String> columns,
      List<String> names,
      String call) {
    int[] result = new int[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      OptionalInt found = find(names, columns.get(i));
      if (found.isEmpty()) {
        r.problems.add(CdcErrors.unknownColumn(target, role, columns.get(i), names, call));
        result[i] = -1;
      } else {
        result[i] = found.getAsInt();
      }
    }
    return result;
  }

  private static OptionalInt find(List<String> names, String column) {
    String wanted = column.toLowerCase(Locale.ROOT);
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).toLowerCase(Locale.ROOT).equals(wanted)) {
        return OptionalInt.of(i);
      }
    }
    return OptionalInt.empty();
  }

  private static int indexOf(int[] array, int value) {
    for (int i = 0; i < array.length; i++) {
      if (array[i] == value) {
        return i;
      }
    }
    return -1;
  }

  private static RowType project(RowType type, int[] indexes) {
    List<RowType.RowField> fields = new ArrayList<>();
    for (int i : indexes) {
      fields.add(type.getFields().get(i));
    }
    return new RowType(fields);
  }

  public String target() {
    return target;
  }

  public int scdType() {
    return scdType;
  }

  public boolean ignoreNullUpdates() {
    return ignoreNullUpdates;
  }

  /** The source's columns, without the two flags. */
  public RowType sourceType() {
    return sourceType;
  }

  /** The operator's input: the source's columns, then {@value #IS_DELETE} and {@value #IS_TRUNCATE}. */
  public RowType inputType() {
    List<RowType.RowField> fields = new ArrayList<>(sourceType.getFields());
    fields.add(new RowType.RowField(IS_DELETE, new BooleanType(false)));
    fields.add(new RowType.RowField(IS_TRUNCATE, new BooleanType(false)));
    return new RowType(fields);
  }

  public int isDeleteIndex() {
    return sourceType.getFieldCount();
  }

  public int isTruncateIndex() {
    return sourceType.getFieldCount() + 1;
  }

  /** Positions of the key columns in the source. */
  public int[] keyIndexes() {
    return keyIndexes.clone();
  }

  /** Positions of the sequence columns in the source, in comparison order. */
  public int[] sequenceIndexes() {
    return sequenceIndexes.clone();
  }

  /** Positions in the source of the columns written to the target, in source order. */
  public int[] selectedIndexes() {
    return selectedIndexes.clone();
  }

  /** SCD type 2: positions among the selected columns whose change opens a new version. */
  public int[] trackedIndexes() {
    return trackedIndexes.clone();
  }

  /** The key columns as a row: the type of {@link #keySelector()}'s keys. */
  public RowType keyType() {
    return keyType;
  }

  /** The sequence columns as a row; compared field by field, first field first. */
  public RowType sequenceType() {
    return sequenceType;
  }

  /** The selected columns: the data part of a target row. */
  public RowType valuesType() {
    return valuesType;
  }

  /** The target table's columns. */
  public RowType targetType() {
    return targetType;
  }

  public InternalTypeInfo<RowData> targetTypeInfo() {
    return InternalTypeInfo.of(targetType);
  }

  public InternalTypeInfo<RowData> keyTypeInfo() {
    return InternalTypeInfo.of(keyType);
  }

  /** The type of {@value #START_AT}/{@value #END_AT}: the sequence column's type, or a ROW of several. */
  public LogicalType sequenceValueType() {
    return sequenceIndexes.length == 1 ? sequenceType.getTypeAt(0) : sequenceType;
  }

  /**
   * The columns identifying a target row: the keys for SCD type 1, the keys and {@value #START_AT} for
   * SCD type 2. The sink applies the changelog by these.
   */
  public List<String> targetKeyColumns() {
    List<String> columns = new ArrayList<>();
    for (int k : keyInTarget) {
      columns.add(targetType.getFieldNames().get(k));
    }
    if (scdType == 2) {
      columns.add(START_AT);
    }
    return columns;
  }

  /** Positions in the target row of {@link #targetKeyColumns()}. */
  public int[] targetKeyIndexes() {
    int[] result = Arrays.copyOf(keyInTarget, keyInTarget.length + (scdType == 2 ? 1 : 0));
    if (scdType == 2) {
      result[keyInTarget.length] = valuesType.getFieldCount();
    }
    return result;
  }

  /**
   * Keys as binary rows: their hash and equality depend on the bytes only, so a key deserialized from
   * a checkpoint lands in the same key group as the key computed from a fresh row.
   */
  public KeySelector<RowData, RowData> keySelector() {
    return this::key;
  }

  RowData key(RowData input) {
    if (keySerializer == null) {
      keySerializer = new RowDataSerializer(keyType);
    }
    return keySerializer.toBinaryRow(Rows.project(input, sourceType, keyIndexes)).copy();
  }

  /** Reads one input row as a change; its key is the function's current key. */
  public ChangeEvent toEvent(RowData input) {
    RowData sequence = sequenceOf(input);
    if (input.getBoolean(isDeleteIndex())) {
      return ChangeEvent.delete(sequence);
    }
    return ChangeEvent.upsert(sequence, Rows.project(input, sourceType, selectedIndexes));
  }

  /**
   * The row's sequence value; a NULL in any of its columns, or in a key column, is the data's fault and
   * fails the flow (every change passes here). NULL keys would all be one key, so distinct changes
   * without a key would silently replace each other. A truncate applies to every key and needs none.
   */
  public RowData sequenceOf(RowData input) {
    GenericRowData key = Rows.project(input, sourceType, keyIndexes);
    List<String> nullKeys = new ArrayList<>();
    for (int i = 0; i < keyIndexes.length; i++) {
      if (key.isNullAt(i)) {
        nullKeys.add(keyType.getFieldNames().get(i));
      }
    }
    if (!nullKeys.isEmpty() && !input.getBoolean(isTruncateIndex())) {
      throw CdcErrors.nullKeyChange(
          target, keyType.getFieldNames(), nullKeys, Rows.describe(input, inputType()));
    }
    GenericRowData sequence = Rows.project(input, sourceType, sequenceIndexes);
    List<String> nulls = new ArrayList<>();
    for (int i = 0; i < sequenceIndexes.length; i++) {
      if (sequence.isNullAt(i)) {
        nulls.add(sequenceType.getFieldNames().get(i));
      }
    }
    if (!nulls.isEmpty()) {
      throw CdcErrors.nullSequenceChange(
          target, sequenceType.getFieldNames(), nulls, Rows.describe(input, inputType()));
    }
    return sequence;
  }

  /** The value stored in {@value #START_AT}/{@value #END_AT} for a sequence row. */
  Object sequenceValue(RowData sequence) {
    if (sequence == null) {
      return null;
    }
    return sequenceIndexes.length == 1
        ? Rows.getter(sequenceType.getTypeAt(0), 0).getFieldOrNull(sequence)
        : sequence;
  }
}
