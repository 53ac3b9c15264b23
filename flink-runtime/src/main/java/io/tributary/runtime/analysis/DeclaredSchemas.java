package io.tributary.runtime.analysis;

import io.tributary.dsl.plan.DatasetSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeUtils;

/**
 * A table's declared schema ({@code schema(ddl)}, DLT's {@code schema=}), checked against the row
 * type its query produces and, when it matches, applied.
 *
 * <p>They match when they have the same column names and each column the same type, nullability
 * aside: a query column of another type needs a {@code CAST} in the query. Then the table gets the
 * declared schema: its columns in the declared order, each with the declared nullability (a declared
 * {@code NOT NULL} on a column the query may leave null is allowed, and a null written there fails the
 * flow, as Flink's sinks enforce {@code NOT NULL}). A column comment is accepted and not kept: the
 * Delta table does not store it, and in the row type it would enter the state fingerprint, so that
 * editing a comment would ask for a full refresh. An event-time column keeps its watermark. Only physical
 * columns may be declared: no computed column, watermark or primary key.
 */
final class DeclaredSchemas {

  private static final String PLACEHOLDER_PREFIX = "__declared_";

  private final TableEnvironment tableEnv;

  DeclaredSchemas(TableEnvironment tableEnv) {
    this.tableEnv = tableEnv;
  }

  /**
   * The row type of {@code table} given the one its query produces: the declared schema, if any, when
   * it matches (otherwise the problem is added and the query's type returned).
   */
  RowType apply(DatasetSpec table, RowType produced, List<String> problems) {
    Optional<RowType> parsed = table.schemaDdl().flatMap(ddl -> parse(table, ddl, problems));
    if (parsed.isEmpty()) {
      return produced;
    }
    RowType declared = parsed.get();
    Map<String, RowType.RowField> producedFields = new LinkedHashMap<>();
    produced.getFields().forEach(f -> producedFields.put(f.getName(), f));
    List<String> missing = new ArrayList<>();
    List<String> mistyped = new ArrayList<>();
    List<RowType.RowField> applied = new ArrayList<>();
    for (RowType.RowField field : declared.getFields()) {
      RowType.RowField own = producedFields.get(field.getName());
      if (own == null) {
        missing.add(column(field.getName(), field.getType()));
      } else if (!physical(own.getType()).equals(physical(field.getType()))) {
        mistyped.add(
            field.getName()
                + ": declared "
                + summary(field.getType())
                + ", the query's "
                + summary(own.getType()));
      } else {
        applied.add(
            new RowType.RowField(
                field.getName(), own.getType().copy(field.getType().isNullable())));
      }
    }
    List<String> extra =
        produced.getFields().stream()
            .filter(f -> !declared.getFieldNames().contains(f.getName()))
            .map(f -> column(f.getName(), f.getType()))
            .toList();
    if (!missing.isEmpty() || !extra.isEmpty() || !mistyped.isEmpty()) {
      problems.add(
          AnalysisErrors.declaredSchemaMismatch(
              table, missing, extra, mistyped, describe(declared), describe(produced)));
      return produced;
    }
    return new RowType(produced.isNullable(), applied);
  }

  /** The declared columns, parsed by Flink's own DDL parser as the columns of a temporary table. */
  private Optional<RowType> parse(DatasetSpec table, String ddl, List<String> problems) {
    String name = "`" + PLACEHOLDER_PREFIX + table.name() + "`";
    ResolvedSchema schema;
    try {
      tableEnv.executeSql(
          "CREATE TEMPORARY TABLE " + name + " (" + ddl + ") WITH ('connector' = 'datagen')");
      schema = tableEnv.from(name).getResolvedSchema();
    } catch (RuntimeException e) {
      problems.add(AnalysisErrors.invalidDeclaredSchema(table, ddl, AnalysisErrors.rootMessage(e)));
      return Optional.empty();
    } finally {
      tableEnv.dropTemporaryTable(name);
    }
    List<String> notPhysical =
        schema.getColumns().stream().filter(c -> !c.isPhysical()).map(Column::getName).toList();
    if (!notPhysical.isEmpty()
        || schema.getPrimaryKey().isPresent()
        || !schema.getWatermarkSpecs().isEmpty()) {
      problems.add(
          AnalysisErrors.invalidDeclaredSchema(
              table,
              ddl,
              !notPhysical.isEmpty()
                  ? "columns " + notPhysical + " are not physical columns"
                  : "it declares a "
                      + (schema.getPrimaryKey().isPresent() ? "primary key" : "watermark")));
      return Optional.empty();
    }
    return Optional.of(
        new RowType(
            schema.getColumns().stream()
                .map(c -> new RowType.RowField(c.getName(), c.getDataType().getLogicalType()))
                .toList()));
  }

  private static LogicalType physical(LogicalType type) {
    return LogicalTypeUtils.removeTimeAttributes(type).copy(true);
  }

  private static String summary(LogicalType type) {
    return physical(type).asSummaryString();
  }

  private static String column(String name, LogicalType type) {
    return name + " " + summary(type);
  }

  /** {@code (name TYPE [NOT NULL], …)}. */
  private static String describe(RowType type) {
    return "("
        + String.join(
            ", ",
            type.getFields().stream()
                .map(
                    f ->
                        f.getName()
                            + " "
                            + summary(f.getType())
                            + (f.getType().isNullable() ? "" : " NOT NULL"))
                .toList())
        + ")";
  }
}
