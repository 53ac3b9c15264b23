package io.tributary.dsl.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One dataset as the user declared it. Immutable: the DSL's handles replace it with the copies that
 * the {@code with…} methods return.
 *
 * @param queries every query the user set, in order; a valid dataset has at most one (validation
 *     reports a second one rather than silently keeping the last)
 * @param cdcTarget whether it was declared with {@code createStreamingTable}, to be fed by flows
 * @param quarantine whether rows its expect_or_drop expectations drop are kept in the companion
 *     table {@code <name>_quarantine}
 */
public record DatasetSpec(
    String name,
    DatasetKind kind,
    boolean cdcTarget,
    Optional<String> comment,
    Map<String, String> properties,
    List<String> partitionColumns,
    Optional<String> schemaDdl,
    List<Query> queries,
    List<Expectation> expectations,
    List<String> dropDuplicatesKeys,
    boolean quarantine) {

  public DatasetSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(comment, "comment");
    Objects.requireNonNull(schemaDdl, "schemaDdl");
    properties = Map.copyOf(properties);
    partitionColumns = List.copyOf(partitionColumns);
    queries = List.copyOf(queries);
    expectations = List.copyOf(expectations);
    dropDuplicatesKeys = List.copyOf(dropDuplicatesKeys);
  }

  /** A new dataset with nothing but its name and kind. */
  public static DatasetSpec of(String name, DatasetKind kind, boolean cdcTarget) {
    return new DatasetSpec(
        name,
        kind,
        cdcTarget,
        Optional.empty(),
        Map.of(),
        List.of(),
        Optional.empty(),
        List.of(),
        List.of(),
        List.of(),
        false);
  }

  /** The dataset's query, when exactly one was set. */
  public Optional<Query> query() {
    return queries.size() == 1 ? Optional.of(queries.get(0)) : Optional.empty();
  }

  /** Whether the name marks a temporary dataset: a leading underscore, as DLT's {@code _tmp_…} views. */
  public boolean isTemporary() {
    return name.startsWith("_");
  }

  public DatasetSpec withComment(String text) {
    return new DatasetSpec(
        name,
        kind,
        cdcTarget,
        Optional.of(text),
        properties,
        partitionColumns,
        schemaDdl,
        queries,
        expectations,
        dropDuplicatesKeys,
        quarantine);
  }

  public DatasetSpec withProperty(String key, String value) {
    Map<String, String> copy = new TreeMap<>(properties);
    copy.put(key, value);
    return new DatasetSpec(
        name,
        kind,
        cdcTarget,
        comment,
        copy,
        partitionColumns,
        schemaDdl,
        queries,
        expectations,
        dropDuplicatesKeys,
        quarantine);
  }

  public DatasetSpec withPartitionColumns(List<String> columns) {
    return new DatasetSpec(
        name,
        kind,
        cdcTarget,
        comment,
        properties,
        columns,
        schemaDdl,
        queries,
        expectations,
        dropDuplicatesKeys,
        quarantine);
  }

  public DatasetSpec withSchemaDdl(String ddl) {
    return new DatasetSpec(
        name,
        kind,
        cdcTarget,
        comment,
        properties,
        partitionColumns,
        Optional.of(ddl),
        queries,
        expectations,
        dropDuplicatesKeys,
        quarantine);
  }

  public DatasetSpec withQuery(Query query) {
    List<Query> copy = new ArrayList<>(queries);
    copy.add(query);
    return new DatasetSpec(
        name,
        kind,
        cdcTarget,
        comment,
        properties,
        partitionColumns,
        schemaDdl,
        copy,
        expectations,
        dropDuplicatesKeys,
        quarantine);
  }

  public DatasetSpec withExpectation(Expectation expectation) {
    List<Expectation> copy = new ArrayList<>(expectations);
    copy.add(expectation);
    return new DatasetSpec(
        name,
        kind,
        cdcTarget,
        comment,
        properties,
        partitionColumns,
        schemaDdl,
        queries,
        copy,
        dropDuplicatesKeys,
        quarantine);
  }

  public DatasetSpec withDropDuplicates(List<String> keys) {
    return new DatasetSpec(
        name,
        kind,
        cdcTarget,
        comment,
        properties,
        partitionColumns,
        schemaDdl,
        queries,
        expectations,
        keys,
        quarantine);
  }

  /** The name of the companion table that keeps the rows this dataset's expectations drop. */
  public String quarantineTable() {
    return name + "_quarantine";
  }

  public DatasetSpec withQuarantine() {
    return new DatasetSpec(
        name,
        kind,
        cdcTarget,
        comment,
        properties,
        partitionColumns,
        schemaDdl,
        queries,
        expectations,
        dropDuplicatesKeys,
        true);
  }

  /** The lines of {@code describe()} for this dataset, deterministic. */
  List<String> describeLines() {
    List<String> lines = new ArrayList<>();
    lines.add(kind.displayName() + " " + name + (cdcTarget ? " (flow target)" : ""));
    comment.ifPresent(c -> lines.add("  comment " + c));
    schemaDdl.ifPresent(s -> lines.add("  schema " + s));
    queries.forEach(q -> lines.add("  " + q.describe()));
    if (!dropDuplicatesKeys.isEmpty()) {
      lines.add("  drop duplicates " + dropDuplicatesKeys);
    }
    expectations.forEach(e -> lines.add("  " + e.describe()));
    if (quarantine) {
      lines.add("  quarantine into " + quarantineTable());
    }
    if (!partitionColumns.isEmpty()) {
      lines.add("  partition by " + partitionColumns);
    }
    new TreeMap<>(properties).forEach((k, v) -> lines.add("  property " + k + "=" + v));
    return lines;
  }
}
