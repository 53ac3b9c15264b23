package io.tributary.runtime.cli;

import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.runtime.FlowResult;
import io.tributary.runtime.FlowState;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.config.PipelineConfigException;
import io.tributary.runtime.config.PipelineConfigLoader;
import io.tributary.runtime.delta.DeltaTableSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tributary}: validate and run pipelines described by a {@code pipeline.yml}. A thin layer
 * over {@link Tributary}. Exit codes: 0 success, 1 the update failed, 2 the pipeline or its file is
 * wrong.
 */
@Command(name = "tributary", mixinStandardHelpOptions = true, version = "tributary 0.1.0",
    description = "Declarative live tables for Apache Flink, stored as Delta Lake tables.",
    subcommands = {TributaryCli.Validate.class, TributaryCli.Start.class, EventsCommand.class,
        StatusCommand.class})
public final class TributaryCli {

  static final int UPDATE_FAILED = 1;
  static final int DEFINITION_ERROR = 2;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line and returns its exit code; used by {@link #main} and by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine line = new CommandLine(new TributaryCli());
    line.setOut(out);
    line.setErr(err);
    line.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof PipelineDefinitionException || e instanceof PipelineConfigException
          || e instanceof IllegalArgumentException) {
        err.println(e.getMessage());
        return DEFINITION_ERROR;
      }
      throw e;
    });
    return line.execute(args);
  }

  /** The options every command takes. */
  static class PipelineOptions {
    @Parameters(index = "0", paramLabel = "PIPELINE.yml", description = "The pipeline file.")
    Path file;

    @Option(names = "--storage", paramLabel = "DIR", description = "Overrides the file's storage root.")
    String storage;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Overrides a configuration value.")
    Map<String, String> conf = new TreeMap<>();

    PipelineConfig load() {
      PipelineConfig config = PipelineConfigLoader.load(file).withConfiguration(conf);
      return storage == null ? config : config.withStorage(Path.of(storage).toAbsolutePath().normalize().toString());
    }
  }

  @Command(name = "validate", description = "Checks the pipeline and every query, schema and constraint;"
      + " writes nothing and reports every problem at once.")
  static final class Validate implements Callable<Integer> {
    @ParentCommand TributaryCli parent;
    @CommandLine.Mixin PipelineOptions options;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PipelineConfig config = options.load();
      ResolvedPlan plan = Tributary.fromConfig(config).validate();
      PrintWriter out = spec.commandLine().getOut();
      out.println("Pipeline '" + config.name() + "' is valid: " + plan.plan().datasets().size() + " datasets, "
          + plan.plan().flows().size() + " flows.");
      out.print(plan.plan().describe());
      return 0;
    }
  }

  @Command(name = "start", description = "Runs one update: every flow processes what is new, commits and stops.")
  static final class Start implements Callable<Integer> {
    @CommandLine.Mixin PipelineOptions options;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--full-refresh", description = "Clears every table, its state and positions first.")
    boolean fullRefresh;

    @Override
    public Integer call() {
      PipelineConfig config = options.load();
      PrintWriter out = spec.commandLine().getOut();
      Instant start = Instant.now();
      out.println("Starting an update of pipeline '" + config.name() + "' (storage " + config.storage() + ")");
      UpdateResult result = Tributary.fromConfig(config)
          .fullRefresh(fullRefresh)
          .listener((dataset, state, detail) -> {
            if (state != FlowState.QUEUED) {
              out.printf("[%6.1f s] %-28s %s%s%n", Duration.between(start, Instant.now()).toMillis() / 1000.0,
                  dataset, state, detail.isEmpty() ? "" : ": " + detail);
            }
          })
          .run();
      out.printf("Update %d %s in %.1f s%n", result.number(), result.state(), result.duration().toMillis() / 1000.0);
      printTables(out, config, result);
      result.error().ifPresent(e -> spec.commandLine().getErr().println("Error: " + e));
      return result.state() == UpdateState.COMPLETED ? 0 : UPDATE_FAILED;
    }

    private static void printTables(PrintWriter out, PipelineConfig config, UpdateResult result) {
      out.println("Tables under " + config.storage() + "/tables:");
      for (FlowResult flow : result.flows()) {
        String path = config.storage() + "/tables/" + flow.dataset();
        DeltaTableSummary.of(path).ifPresentOrElse(
            s -> out.printf("  %-28s %8d rows  (Delta version %d)%n", flow.dataset(), s.rows(), s.version()),
            () -> out.printf("  %-28s %s%n", flow.dataset(), "not written"));
      }
    }
  }
}
