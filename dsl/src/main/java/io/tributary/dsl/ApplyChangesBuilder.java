package io.tributary.dsl;

import io.tributary.dsl.plan.ApplyChangesSpec;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * An {@code applyChanges} flow being declared. The step interfaces ask for the source, then the
 * keys, then the sequence column, so a chain that compiles names all three; the options follow.
 */
public final class ApplyChangesBuilder {

  /** The first step: which dataset holds the change feed. */
  public interface From {
    /** The dataset holding the change feed; it is read as a stream. */
    Keys from(String dataset);
  }

  /** The second step: the columns that identify a row. */
  public interface Keys {
    /** One or more columns whose values identify a row of the target. */
    SequenceBy keys(String... columns);
  }

  /** The third step: the order of the changes. */
  public interface SequenceBy {
    /**
     * The column (or, with several, the ordered struct of columns) that orders the changes of a key;
     * changes are applied in this order, whatever order they arrive in.
     */
    ApplyChangesBuilder sequenceBy(String... columns);
  }

  private final Pipeline pipeline;
  private final int index;

  ApplyChangesBuilder(Pipeline pipeline, int index) {
    this.pipeline = pipeline;
    this.index = index;
  }

  From fromStep() {
    return dataset -> {
      Objects.requireNonNull(dataset, "dataset");
      update(spec -> spec.withSource(dataset));
      return columns -> {
        List<String> keys = List.of(columns);
        update(spec -> spec.withKeys(keys));
        return sequence -> {
          List<String> sequenceBy = List.of(sequence);
          update(spec -> spec.withSequenceBy(sequenceBy));
          return this;
        };
      };
    };
  }

  /** Rows for which this SQL condition holds delete their key, such as {@code "operation = 'DELETE'"}. */
  public ApplyChangesBuilder applyAsDeletes(String condition) {
    Objects.requireNonNull(condition, "condition");
    return update(spec -> spec.withApplyAsDeletes(condition));
  }

  /** Rows for which this SQL condition holds empty the whole target (SCD type 1 only). */
  public ApplyChangesBuilder applyAsTruncates(String condition) {
    Objects.requireNonNull(condition, "condition");
    return update(spec -> spec.withApplyAsTruncates(condition));
  }

  /** Only these columns of the source are written to the target. */
  public ApplyChangesBuilder columnList(String... columns) {
    List<String> list = List.of(columns);
    return update(spec -> spec.withColumnList(list));
  }

  /** Every column of the source but these is written to the target. */
  public ApplyChangesBuilder exceptColumnList(String... columns) {
    List<String> list = List.of(columns);
    return update(spec -> spec.withExceptColumnList(list));
  }

  /** A NULL in an update keeps the target's current value instead of overwriting it. */
  public ApplyChangesBuilder ignoreNullUpdates(boolean ignore) {
    return update(spec -> spec.withIgnoreNullUpdates(ignore));
  }

  /** 1 keeps the latest row per key (the default); 2 keeps a row per version with its validity interval. */
  public ApplyChangesBuilder storedAsScdType(int type) {
    return update(spec -> spec.withScdType(type));
  }

  /** SCD type 2: only changes to these columns open a new version; others update the current row. */
  public ApplyChangesBuilder trackHistoryColumnList(String... columns) {
    List<String> list = List.of(columns);
    return update(spec -> spec.withTrackHistoryColumnList(list));
  }

  /** SCD type 2: changes to any column but these open a new version. */
  public ApplyChangesBuilder trackHistoryExceptColumnList(String... columns) {
    List<String> list = List.of(columns);
    return update(spec -> spec.withTrackHistoryExceptColumnList(list));
  }

  private ApplyChangesBuilder update(UnaryOperator<ApplyChangesSpec> change) {
    pipeline.updateApplyChanges(index, change);
    return this;
  }
}
