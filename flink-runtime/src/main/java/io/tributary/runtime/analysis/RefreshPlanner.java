package io.tributary.runtime.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.dsl.plan.DatasetKind;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.dsl.plan.Input;
import io.tributary.dsl.plan.ReadMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.functions.BuiltInFunctionDefinitions;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.utils.TypeConversions;

/**
 * Decides how a materialized table is refreshed ({@link Refresh}) from what Flink's planner makes of
 * its query as a streaming query: the compiled plan (its operators, their functions, the join kinds
 * and the upsert key the planner derives for the result), never from the query's text. The query
 * analysis built runs over the placeholders of its inputs, as a streaming query into a probe sink.
 */
public final class RefreshPlanner {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROBE = "__tributary_refresh_probe";

  /**
   * The table property that keeps a table out of incremental refresh ({@code "false"}): it is then
   * recomputed by a BATCH job and replaced in one commit, a table any Delta reader opens (an
   * incremental table is keyed, with deletion vectors).
   */
  public static final String INCREMENTAL = "pipelines.incrementalRefresh";

  /** The operators whose result the planner keeps up to date by key as rows arrive on append-only inputs. */
  private static final Set<String> MAINTAINED =
      Set.of(
          "table-source-scan",
          "calc",
          "exchange",
          "group-aggregate",
          "local-group-aggregate",
          "global-group-aggregate",
          "incremental-group-aggregate",
          "expand",
          "join",
          "sink",
          "watermark-assigner",
          "drop-update-before",
          "mini-batch-assigner");

  private static final Set<String> AGGREGATES = Set.of("COUNT", "SUM", "SUM0", "AVG", "MIN", "MAX");

  /**
   * Functions whose value depends on when or where a row is computed: an incremental refresh would
   * mix values from different updates. Flink's own definitions say which of theirs are; the SQL
   * standard's time functions and Calcite's RAND are planned under their SQL names.
   */
  private static final Set<String> NON_DETERMINISTIC = nonDeterministic();

  private final StreamTableEnvironment tableEnv;
  private final Map<String, DatasetSpec> datasets;
  private final Function<String, List<Input>> inputsOf;
  private final Map<String, String> configuration;
  private final Map<String, Refresh> decided = new LinkedHashMap<>();

  /** {@code inputsOf}: what each dataset analyzed so far reads. */
  RefreshPlanner(
      StreamTableEnvironment tableEnv,
      Map<String, DatasetSpec> datasets,
      Function<String, List<Input>> inputsOf,
      Map<String, String> configuration) {
    this.tableEnv = tableEnv;
    this.datasets = datasets;
    this.inputsOf = inputsOf;
    this.configuration = configuration;
  }

  /**
   * Decides how {@code dataset} is refreshed if it is a materialized table whose analysis found no
   * {@code problems}; a query the streaming planner refuses is recomputed.
   */
  void decideIfTable(DatasetSpec dataset, Table table, List<String> problems) {
    if (dataset.kind() != DatasetKind.MATERIALIZED_TABLE || !problems.isEmpty()) {
      return;
    }
    Refresh refresh;
    try {
      refresh =
          decide(
              dataset,
              table,
              EventTime.physical(Analyzer.rowType(table)),
              inputsOf.apply(dataset.name()),
              inputsOf);
    } catch (RuntimeException e) {
      refresh =
          Refresh.recompute(
              "the planner cannot run its query as a streaming query: "
                  + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    decided.put(dataset.name(), refresh);
  }

  /** The refreshes decided so far, by materialized table. */
  Map<String, Refresh> decided() {
    return decided;
  }

  /** How {@code dataset}, a materialized table whose query analysis built as {@code table}, is refreshed. */
  Refresh decide(
      DatasetSpec dataset,
      Table table,
      RowType rowType,
      List<Input> inputs,
      Function<String, List<Input>> inputsOf) {
    String unfit = unfitDataset(dataset);
    if (unfit != null) {
      return Refresh.recompute(unfit);
    }
    String unfitInput = unfitInputs(dataset.name(), inputs, inputsOf);
    if (unfitInput != null) {
      return Refresh.recompute(unfitInput);
    }
    JsonNode plan = compiledPlan(dataset, table, rowType);
    List<String> problems = new ArrayList<>();
    JsonNode sink = null;
    for (JsonNode node : plan.path("nodes")) {
      String type = operator(node.path("type").asText());
      if (!MAINTAINED.contains(type)) {
        problems.add(
            "its plan has a " + type + " operator, which cannot be maintained from new rows alone");
        continue;
      }
      if (type.equals("sink")) {
        sink = node;
      }
      if (type.equals("join")) {
        JsonNode spec = node.path("joinSpec");
        String kind = spec.path("joinType").asText();
        if (!kind.equals("INNER")) {
          problems.add(
              "it has a " + kind + " join; only inner equi-joins are refreshed incrementally");
        } else if (spec.path("leftKeys").isEmpty()) {
          problems.add("it has an inner join without an equality of columns");
        }
      }
      for (JsonNode call : node.path("aggCalls")) {
        String name = functionName(call);
        if (!AGGREGATES.contains(name)
            || (call.path("distinct").asBoolean() && !name.equals("COUNT"))) {
          problems.add(
              "it aggregates with "
                  + (call.path("distinct").asBoolean() ? name + " DISTINCT" : name)
                  + "; only COUNT, SUM, AVG, MIN, MAX and COUNT DISTINCT are refreshed incrementally");
        }
      }
      calls(node, problems);
    }
    if (!problems.isEmpty()) {
      return Refresh.recompute(problems.get(0));
    }
    JsonNode upsertKey = sink == null ? null : sink.get("inputUpsertKey");
    if (upsertKey == null || upsertKey.isEmpty()) {
      return Refresh.recompute(
          "the planner derives no upsert key for its result (only a GROUP BY over the"
              + " inputs gives each result row a key its changes can be applied by)");
    }
    List<String> keys = new ArrayList<>();
    upsertKey.forEach(index -> keys.add(rowType.getFieldNames().get(index.asInt())));
    Map<String, List<String>> read = columnsRead(plan);
    return Refresh.incremental(keys, read.isEmpty() || builds(dataset, read) ? read : Map.of());
  }

  /**
   * Whether {@code dataset}'s query builds over its inputs' tables with only the columns {@code read}
   * names: the plan leaves out a column the query (or a view it reads) names and never uses, such as
   * one a subquery selects, but SQL does not resolve a name the table lacks. Where it does not build,
   * the job reads every column.
   */
  private boolean builds(DatasetSpec dataset, Map<String, List<String>> read) {
    PlanTables narrowed = Placeholders.inlined(tableEnv, datasets, inputsOf, configuration, read);
    try {
      narrowed.build(dataset);
      return true;
    } catch (RuntimeException e) {
      return false;
    } finally {
      narrowed.dropRegisteredViews();
    }
  }

  /**
   * Per input table of the compiled {@code plan}, the columns its scans' consumers use, where that is
   * fewer than all: a Calc's projection and condition, through the operators that pass rows on as they
   * are (watermark and mini-batch assigners). A scan read by anything else (a join, an exchange) uses
   * every column, and so does a table any one of its scans uses whole. The views a query reads are
   * inlined in its plan ({@link #compiledPlan(DatasetSpec, Table, RowType)}): their tables' scans count.
   */
  private Map<String, List<String>> columnsRead(JsonNode plan) {
    Map<Integer, JsonNode> nodes = new HashMap<>();
    plan.path("nodes").forEach(node -> nodes.put(node.path("id").asInt(), node));
    Map<Integer, List<Integer>> consumers = new HashMap<>();
    plan.path("edges")
        .forEach(
            edge ->
                consumers
                    .computeIfAbsent(edge.path("source").asInt(), id -> new ArrayList<>())
                    .add(edge.path("target").asInt()));
    Map<String, List<String>> columnsOf = new LinkedHashMap<>();
    Map<String, BitSet> used = new LinkedHashMap<>();
    for (JsonNode node : plan.path("nodes")) {
      if (!operator(node.path("type").asText()).equals("table-source-scan")) {
        continue;
      }
      JsonNode table = node.path("scanTableSource").path("table");
      String dataset = datasetOf(table.path("identifier").asText());
      DatasetSpec spec = datasets.get(dataset);
      if (spec == null || spec.kind() != DatasetKind.STREAMING_TABLE) {
        continue;
      }
      List<String> columns = new ArrayList<>();
      table
          .path("resolvedTable")
          .path("schema")
          .path("columns")
          .forEach(column -> columns.add(column.path("name").asText()));
      BitSet all = new BitSet();
      all.set(0, columns.size());
      BitSet fields =
          node.has("abilities")
              ? all // a projection pushed into the scan renumbers its fields
              : usedFields(node.path("id").asInt(), nodes, consumers).orElse(all);
      columnsOf.putIfAbsent(dataset, columns);
      used.computeIfAbsent(dataset, d -> new BitSet()).or(fields);
    }
    Map<String, List<String>> read = new LinkedHashMap<>();
    used.forEach(
        (dataset, fields) -> {
          List<String> columns = columnsOf.get(dataset);
          if (fields.cardinality() < columns.size()) {
            read.put(dataset, fields.stream().mapToObj(columns::get).toList());
          }
        });
    return read;
  }

  /** The fields of node {@code id}'s output its consumers use; empty when one may use them all. */
  private static Optional<BitSet> usedFields(
      int id, Map<Integer, JsonNode> nodes, Map<Integer, List<Integer>> consumers) {
    List<Integer> readers = consumers.getOrDefault(id, List.of());
    if (readers.isEmpty()) {
      return Optional.empty();
    }
    BitSet fields = new BitSet();
    for (int reader : readers) {
      JsonNode node = nodes.get(reader);
      String type = node == null ? "" : operator(node.path("type").asText());
      switch (type) {
        case "calc" -> {
          inputRefs(node.path("projection"), fields);
          inputRefs(node.path("condition"), fields);
        }
        case "watermark-assigner", "mini-batch-assigner" -> {
          inputRefs(node, fields);
          if (node.has("rowtimeFieldIndex")) {
            fields.set(node.path("rowtimeFieldIndex").asInt());
          }
          Optional<BitSet> passedOn = usedFields(reader, nodes, consumers);
          if (passedOn.isEmpty()) {
            return Optional.empty();
          }
          fields.or(passedOn.get());
        }
        default -> {
          return Optional.empty();
        }
      }
    }
    return Optional.of(fields);
  }

  /** Sets the index of every input reference in {@code expression}. */
  private static void inputRefs(JsonNode expression, BitSet fields) {
    if (expression.isObject() && "INPUT_REF".equals(expression.path("kind").asText())) {
      fields.set(expression.path("inputIndex").asInt());
    }
    expression.forEach(child -> inputRefs(child, fields));
  }

  /** The dataset a placeholder's identifier ({@code `catalog`.`database`.`name`}) stands for. */
  private static String datasetOf(String identifier) {
    int dot = identifier.lastIndexOf("`.`");
    String name = dot < 0 ? identifier : identifier.substring(dot + 3);
    name = name.endsWith("`") ? name.substring(0, name.length() - 1) : name;
    name = name.replace("``", "`");
    return name.startsWith(Placeholders.INLINED_PREFIX)
        ? name.substring(Placeholders.INLINED_PREFIX.length())
        : name;
  }

  /** What of the table's own definition keeps it from an incremental refresh, or null. */
  private static String unfitDataset(DatasetSpec dataset) {
    if ("false".equalsIgnoreCase(dataset.properties().getOrDefault(INCREMENTAL, "true").strip())) {
      return "its table property " + INCREMENTAL + " is false";
    }
    if (!dataset.expectations().isEmpty()) {
      return "it has expectations, which are checked on the rows of a complete recompute";
    }
    if (!dataset.dropDuplicatesKeys().isEmpty()) {
      return "it drops duplicates, which keeps the first row of each key of a complete recompute";
    }
    if (!dataset.partitionColumns().isEmpty()) {
      return "it is partitioned; changes are applied by key to tables laid out in hash buckets";
    }
    return null;
  }

  /** Which read keeps the table from an incremental refresh (views looked through), or null. */
  private String unfitInputs(
      String reader, List<Input> inputs, Function<String, List<Input>> inputsOf) {
    if (inputs.isEmpty()) {
      return "it reads no streaming table of the pipeline";
    }
    for (Input input : inputs) {
      DatasetSpec read = datasets.get(input.dataset());
      if (read == null) {
        return "it reads '" + input.dataset() + "', which is not a dataset of the pipeline";
      }
      if (input.mode() == ReadMode.LOOKUP) {
        return "it looks up '" + read.name() + "', whose rows may change without new input";
      }
      if (read.kind() == DatasetKind.VIEW) {
        String throughView = unfitInputs(read.name(), inputsOf.apply(read.name()), inputsOf);
        if (throughView != null) {
          return throughView;
        }
        continue;
      }
      if (read.kind() != DatasetKind.STREAMING_TABLE || read.cdcTarget()) {
        return "it reads '"
            + read.name()
            + "', which is not an append-only streaming table ("
            + (read.cdcTarget()
                ? "an applyChanges target"
                : read.kind().name().toLowerCase(Locale.ROOT))
            + ")";
      }
    }
    return null;
  }

  /**
   * The planner's compiled streaming plan of {@code dataset}'s query as its job runs it: {@code table},
   * as analysis built it, unless it reads views; then built again with them inlined, so that their
   * operators and functions are decided on and the scans are of the tables the job reads.
   */
  private JsonNode compiledPlan(DatasetSpec dataset, Table table, RowType rowType) {
    if (!Placeholders.readsViews(dataset.name(), datasets, inputsOf)) {
      return compiledPlan(table, rowType);
    }
    PlanTables inlined = Placeholders.inlined(tableEnv, datasets, inputsOf, configuration);
    try {
      return compiledPlan(inlined.build(dataset), rowType);
    } finally {
      inlined.dropRegisteredViews();
    }
  }

  /** The planner's compiled streaming plan of {@code table} written to a probe sink of its columns. */
  private JsonNode compiledPlan(Table table, RowType rowType) {
    tableEnv.createTemporaryTable(
        PROBE,
        TableDescriptor.forConnector("blackhole")
            .schema(
                Schema.newBuilder()
                    .fromRowDataType(TypeConversions.fromLogicalToDataType(rowType))
                    .build())
            .build());
    try {
      return JSON.readTree(table.insertInto(PROBE).compilePlan().asJsonString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      tableEnv.dropTemporaryTable(PROBE);
    }
  }

  /** Every function call in {@code node} (projections, conditions, join conditions), checked for determinism. */
  private static void calls(JsonNode node, List<String> problems) {
    if (node.isObject()) {
      if ("CALL".equals(node.path("kind").asText())) {
        if (node.has("catalogName") || node.has("class")) {
          problems.add(
              "it calls the user function "
                  + node.path(node.has("catalogName") ? "catalogName" : "class").asText()
                  + ", which a recompute would evaluate again for every row");
        } else {
          String name = functionName(node);
          if (NON_DETERMINISTIC.contains(name)) {
            problems.add("it calls " + name + "(), which is not deterministic");
          }
        }
      }
      node.fields()
          .forEachRemaining(
              field -> {
                if (!field.getKey().equals("aggCalls")) {
                  calls(field.getValue(), problems);
                }
              });
    } else if (node.isArray()) {
      node.forEach(child -> calls(child, problems));
    }
  }

  /** A function's SQL name from the plan: {@code $SUM0$1} is SUM0. */
  private static String functionName(JsonNode call) {
    String name =
        call.has("internalName")
            ? call.path("internalName").asText()
            : call.has("systemName")
                ? call.path("systemName").asText()
                : call.path("name").asText();
    if (name.startsWith("$")) {
      int end = name.indexOf('$', 1);
      name = name.substring(1, end < 0 ? name.length() : end);
    }
    return name.toUpperCase(Locale.ROOT);
  }

  /** {@code stream-exec-group-aggregate_1} is {@code group-aggregate}. */
  private static String operator(String type) {
    int version = type.lastIndexOf('_');
    String name = version < 0 ? type : type.substring(0, version);
    return name.startsWith("stream-exec-") ? name.substring("stream-exec-".length()) : name;
  }

  private static Set<String> nonDeterministic() {
    Set<String> names =
        new TreeSet<>(
            Set.of(
                "RAND",
                "RAND_INTEGER",
                "UUID",
                "NOW",
                "CURRENT_TIMESTAMP",
                "LOCALTIMESTAMP",
                "CURRENT_TIME",
                "CURRENT_DATE",
                "LOCALTIME",
                "PROCTIME",
                "CURRENT_ROW_TIMESTAMP",
                "UNIX_TIMESTAMP",
                "CURRENT_WATERMARK"));
    BuiltInFunctionDefinitions.getDefinitions().stream()
        .filter(d -> !d.isDeterministic())
        .forEach(d -> names.add(d.getName().toUpperCase(Locale.ROOT)));
    return Set.copyOf(names);
  }
}
