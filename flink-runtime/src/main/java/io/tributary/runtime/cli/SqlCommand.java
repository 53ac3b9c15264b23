package io.tributary.runtime.cli;

import io.tributary.runtime.catalog.TributaryCatalog;
import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.SqlParserException;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.config.AggregatePhaseStrategy;
import org.apache.flink.table.api.config.OptimizerConfigOptions;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tributary sql PIPELINE.yml QUERY [--format table|csv|json]}: runs a Flink SQL query over the
 * pipeline's tables (a batch query over their latest versions) and prints the result, by default as
 * a table with the column names as Flink's SQL client does ({@link ResultPrinter}).
 */
@Command(
    name = "sql",
    description = "Runs a Flink SQL query over the pipeline's tables and prints the result.")
final class SqlCommand implements Callable<Integer> {
  @CommandLine.Mixin TributaryCli.PipelineOptions options;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "1",
      paramLabel = "QUERY",
      description = "A query, e.g. \"SELECT * FROM gold LIMIT 10\".")
  String query;

  @Option(
      names = "--format",
      defaultValue = "table",
      paramLabel = "FORMAT",
      description =
          "table (boxed, with column names), csv (a header line, then one line per row) or json (one"
              + " object per row and line); default ${DEFAULT-VALUE}.")
  String format;

  @Override
  public Integer call() {
    ResultPrinter.Format chosen;
    try {
      chosen = ResultPrinter.Format.valueOf(format.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--format " + format + " is not a result format. Use table, csv or json.");
    }
    PipelineConfig config = options.load();
    PipelineStorage storage =
        PipelineStorage.at(config.storage(), HadoopSettings.of(config.hadoopSettings()));
    TableEnvironment tableEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    // the workaround of JobTranslator.configuration: two-phase hash aggregation loses AVG when it
    // spills
    tableEnv
        .getConfig()
        .set(
            OptimizerConfigOptions.TABLE_OPTIMIZER_AGG_PHASE_STRATEGY,
            AggregatePhaseStrategy.ONE_PHASE);
    tableEnv.registerCatalog(config.name(), TributaryCatalog.of(config.name(), storage));
    tableEnv.useCatalog(config.name());
    TableResult result;
    try {
      result = tableEnv.executeSql(query);
    } catch (ValidationException | SqlParserException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "Query on pipeline '"
              + config.name()
              + "' is not valid: "
              + e.getMessage().lines().findFirst().orElse("")
              + ". Tables: "
              + List.of(tableEnv.listTables())
              + ".");
    }
    // the whole result first: a table's column widths need every row, and a failure prints no half
    // table
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<Row> it = result.collect()) {
      it.forEachRemaining(rows::add);
    } catch (Exception e) {
      throw new IllegalStateException(
          "Query on pipeline '" + config.name() + "' failed: " + e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    ResultPrinter.print(out, chosen, result.getResolvedSchema().getColumnNames(), rows);
    return 0;
  }
}
