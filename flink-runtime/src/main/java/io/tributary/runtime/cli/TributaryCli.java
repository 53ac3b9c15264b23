package io.tributary.runtime.cli;

import io.tributary.dsl.PipelineDefinitionException;
import io.tributary.dsl.Secrets;
import io.tributary.runtime.FlowResult;
import io.tributary.runtime.FlowState;
import io.tributary.runtime.RunningUpdate;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.config.PipelineConfigLoader;
import io.tributary.runtime.delta.read.DeltaTableSummary;
import io.tributary.runtime.engine.RefreshSelection;
import io.tributary.runtime.remote.ContextExecutor;
import io.tributary.runtime.remote.FlinkDeploymentException;
import io.tributary.runtime.remote.RemoteExecutor;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineLock;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.storage.StorageErrors;
import io.tributary.runtime.storage.UnsupportedJavaException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tributary}: validate and run pipelines described by a {@code pipeline.yml}. A thin layer
 * over {@link Tributary}. Exit codes: 0 success, 1 the update failed (or ended STOPPED), 2 the
 * pipeline or its file is wrong, 3 another update of the pipeline is running.
 */
@Command(
    name = "tributary",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    version = "tributary 0.1.0",
    description = "Declarative live tables for Apache Flink, stored as Delta Lake tables.",
    subcommands = {
      TributaryCli.Validate.class,
      TributaryCli.Start.class,
      TributaryCli.Stop.class,
      GraphCommand.class,
      SqlCommand.class,
      EventsCommand.class,
      StatusCommand.class,
      MaintainCommand.class,
      UiCommand.class
    })
public final class TributaryCli {

  static final int UPDATE_FAILED = 1;
  static final int DEFINITION_ERROR = 2;
  static final int ALREADY_RUNNING = 3;

  /**
   * The one place the process's output is made: both streams flush on each line (so a running update
   * shows its progress as it goes) and are flushed once more before the process exits, since {@code
   * System.exit} drops whatever a writer still buffers (a {@code print} without a line end, or the tail
   * of a long report).
   */
  public static void main(String[] args) {
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, Charset.defaultCharset()), true);
    PrintWriter err =
        new PrintWriter(new OutputStreamWriter(System.err, Charset.defaultCharset()), true);
    int code;
    try {
      code = run(args, out, err);
    } finally {
      out.flush();
      err.flush();
    }
    if (inFlinkProgram()) {
      // the main of flink run or of an application cluster: System.exit would end the client's or
      // the JobManager's JVM under Flink; a failure is thrown, so Flink reports the program
      // (application) failed
      if (code != 0) {
        throw new ExitCodeException(code);
      }
      return;
    }
    System.exit(code);
  }

  /** Whether this JVM runs the CLI as a Flink program's main ({@code flink run}, an application cluster). */
  static boolean inFlinkProgram() {
    return org.apache.flink.streaming.api.environment.StreamExecutionEnvironment
            .getExecutionEnvironment()
        instanceof org.apache.flink.client.program.StreamContextEnvironment;
  }

  /** Whether this JVM is an application cluster's JobManager running the CLI as the application's main. */
  static boolean inFlinkApplication() {
    var env =
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment
            .getExecutionEnvironment();
    return env instanceof org.apache.flink.client.program.StreamContextEnvironment
        && io.tributary.runtime.remote.ContextExecutor.isApplication(
            org.apache.flink.configuration.Configuration.fromMap(env.getConfiguration().toMap()));
  }

  /** How a command that did not succeed ends a Flink program's main: its exit code, which Flink cannot take. */
  public static final class ExitCodeException extends RuntimeException {
    private final int code;

    ExitCodeException(int code) {
      super(
          "tributary ended with exit code "
              + code
              + " (1: the update failed or was stopped; 2: the pipeline, "
              + "its file or the Flink deployment is wrong; 3: another update holds the lock); its messages are above.");
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  /** Runs the command line and returns its exit code; used by {@link #main} and by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine line = new CommandLine(new TributaryCli());
    line.setOut(out);
    line.setErr(err);
    line.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          // exit 2 for a setup to fix: a PipelineDefinitionException (a PipelineConfigException
          // too), the pipeline or its file is wrong; a FlinkDeploymentException, the Flink
          // deployment it was started in cannot run an update; an UnsupportedJavaException, the
          // Java it runs on cannot open the storage
          if (e instanceof PipelineDefinitionException
              || e instanceof CommandLine.ParameterException
              || e instanceof FlinkDeploymentException
              || e instanceof UnsupportedJavaException) {
            err.println(e.getMessage());
            return DEFINITION_ERROR;
          }
          if (e instanceof PipelineLock.PipelineLockedException) {
            err.println(e.getMessage());
            return ALREADY_RUNNING;
          }
          if (e instanceof java.io.UncheckedIOException) {
            // storage that cannot be opened, read or written: its message names the path and
            // the cause
            err.println("Error: " + StorageErrors.explain(e.getMessage(), e));
            return UPDATE_FAILED;
          }
          throw e;
        });
    return line.execute(args);
  }

  /** The options every command takes. */
  static class PipelineOptions {
    @Parameters(index = "0", paramLabel = "PIPELINE.yml", description = "The pipeline file.")
    Path file;

    @Option(
        names = "--storage",
        paramLabel = "DIR",
        description = "Overrides the file's storage root.")
    String storage;

    @Option(
        names = "--conf",
        paramLabel = "KEY=VALUE",
        description = "Overrides a configuration value.")
    Map<String, String> conf = new TreeMap<>();

    PipelineConfig load() {
      PipelineConfig config = PipelineConfigLoader.load(file).withConfiguration(conf);
      return storage == null ? config : config.withStorage(PipelineConfig.resolveStorage(storage));
    }
  }

  @Command(
      name = "validate",
      description =
          "Checks the pipeline and every query, schema and constraint;"
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
      out.println(
          "Pipeline '"
              + config.name()
              + "' is valid: "
              + plan.plan().datasets().size()
              + " datasets, "
              + plan.plan().flows().size()
              + " flows.");
      out.print(plan.plan().describe());
      return 0;
    }
  }

  @Command(
      name = "start",
      description = "Runs one update: every flow processes what is new, commits and stops.")
  static final class Start implements Callable<Integer> {
    @CommandLine.Mixin PipelineOptions options;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.ArgGroup(exclusive = true)
    Selection selection;

    /** At most one of the refresh options. */
    static final class Selection {
      @Option(
          names = "--full-refresh",
          description = "Clears every table, its state and positions first.")
      boolean fullRefresh;

      @Option(
          names = "--refresh",
          split = ",",
          paramLabel = "TABLE",
          description = "Refreshes only these tables; the others are EXCLUDED and keep their data.")
      Set<String> refresh;

      @Option(
          names = "--full-refresh-tables",
          split = ",",
          paramLabel = "TABLE",
          description = "Clears and recomputes only these tables; the others are EXCLUDED.")
      Set<String> fullRefreshTables;

      RefreshSelection toSelection() {
        if (fullRefresh) {
          return RefreshSelection.fullRefreshAll();
        }
        return refresh != null
            ? RefreshSelection.refresh(refresh)
            : RefreshSelection.fullRefreshTables(fullRefreshTables);
      }
    }

    @Option(
        names = "--cluster",
        paramLabel = "HOST:PORT",
        description =
            "Runs the jobs on this Flink session cluster (its REST endpoint) instead of an embedded one.")
    String cluster;

    @Override
    public Integer call() throws InterruptedException {
      PipelineConfig config =
          cluster == null ? options.load() : options.load().withCluster(cluster);
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "Starting an update of pipeline '"
              + config.name()
              + "' (storage "
              + config.storage()
              + ")");
      // the jobs run in this JVM unless a cluster is named or flink run gives its context
      boolean embedded = config.cluster().isEmpty();
      if (config.cluster().isEmpty()) {
        // flink run / an application cluster: refused here, before anything runs, if it cannot run
        // an update
        Optional<ContextExecutor> context =
            ContextExecutor.ofContext(RemoteExecutor.DEFAULT_CAUGHT_UP_TIMEOUT);
        embedded = context.isEmpty();
        context.ifPresent(
            executor -> {
              out.println(
                  "Running the jobs through Flink's context environment on "
                      + executor.describe()
                      + ".");
              executor.close();
            });
      }
      if (!config.cluster().isEmpty()) {
        out.println("Running the jobs on the Flink cluster at " + config.cluster() + ".");
        if (!PipelineConfig.isUri(config.storage()) || config.storage().startsWith("file:")) {
          out.println(
              "Note: the storage root "
                  + config.storage()
                  + " is a local folder: this client, the "
                  + "JobManager and every TaskManager must see that same folder at that same path.");
        }
      }
      ProgressPrinter progress = ProgressPrinter.forConsole(out);
      RunningUpdate update =
          Tributary.fromConfig(config)
              .selection(selection == null ? RefreshSelection.all() : selection.toSelection())
              .listener(progress)
              .start();
      if (config.continuous()) {
        out.println("Running continuously; stop with Ctrl-C or 'tributary stop'.");
      }
      // Ctrl-C (or a TERM) stops gracefully: the running epochs commit and state is kept. A signal
      // handler rather than a shutdown hook: in a shutdown Flink's own hooks close the embedded
      // cluster under the running jobs, and the JVM halts before the end of the update is printed.
      Map<String, sun.misc.SignalHandler> previous = new TreeMap<>();
      java.util.concurrent.atomic.AtomicBoolean signalled =
          new java.util.concurrent.atomic.AtomicBoolean();
      // not in an application cluster's JobManager, which handles its own signals
      for (String name : inFlinkApplication() ? List.<String>of() : List.of("INT", "TERM")) {
        try {
          previous.put(
              name,
              sun.misc.Signal.handle(
                  new sun.misc.Signal(name),
                  signal -> {
                    if (signalled.getAndSet(true)) {
                      System.exit(128 + signal.getNumber()); // a second signal: quit at once
                    }
                    out.println(
                        "Stopping the update ("
                            + signal.getName()
                            + "): the running micro-batches commit;"
                            + " signal again to quit at once.");
                    update.stop();
                  }));
        } catch (IllegalArgumentException unsupported) {
          // a signal this platform does not have, or one the JVM reserves: its default stays
        }
      }
      // the embedded cluster's jobs keep their heap state in this JVM: say so if it stops fitting
      try (HeapWatch heap = embedded ? HeapWatch.start(progress::onNotice) : null) {
        UpdateResult result = update.await();
        previous.forEach(
            (name, handler) -> sun.misc.Signal.handle(new sun.misc.Signal(name), handler));
        progress.finish();
        out.println(
            UpdateSummary.line(result, progress.secondsToFlowsEnd(), progress.secondsSoFar()));
        printTables(out, config, result, progress);
        result
            .error()
            .ifPresent(
                e ->
                    spec.commandLine()
                        .getErr()
                        .println(
                            "Error: " + Secrets.redact(String.valueOf(e), config.allSettings())));
        boolean ended =
            result.state() == UpdateState.COMPLETED
                || (config.continuous() && result.state() == UpdateState.STOPPED);
        return ended ? 0 : UPDATE_FAILED;
      } finally {
        out.flush();
        spec.commandLine().getErr().flush();
      }
    }

    private static void printTables(
        PrintWriter out, PipelineConfig config, UpdateResult result, ProgressPrinter progress) {
      out.println("Tables under " + config.storage() + "/tables:");
      for (FlowResult flow : result.flows()) {
        if (flow.state() == FlowState.EXCLUDED) {
          out.printf("  %-28s %s%n", flow.dataset(), "excluded from this update");
          continue;
        }
        String path = config.storage() + "/tables/" + flow.dataset();
        DeltaTableSummary.of(path, HadoopSettings.of(config.hadoopSettings()).toConfiguration())
            .ifPresentOrElse(
                s ->
                    out.printf(
                        "  %-28s %8d rows  (Delta version %d%s)%n",
                        flow.dataset(),
                        s.rows(),
                        s.version(),
                        progress.rows(flow.dataset()) < 0
                            ? ""
                            : String.format(
                                Locale.ROOT,
                                "; %,d written by this update",
                                progress.rows(flow.dataset()))),
                () -> out.printf("  %-28s %s%n", flow.dataset(), "not written"));
      }
    }
  }

  @Command(
      name = "stop",
      description =
          "Asks the running update of the pipeline to stop gracefully: in-flight"
              + " micro-batches commit, state is kept, the update ends STOPPED.")
  static final class Stop implements Callable<Integer> {
    @CommandLine.Mixin PipelineOptions options;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--timeout",
        paramLabel = "SECONDS",
        defaultValue = "300",
        description = "How long to wait for the update to end (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
      PipelineConfig config = options.load();
      PipelineStorage storage =
          PipelineStorage.at(config.storage(), HadoopSettings.of(config.hadoopSettings()));
      PrintWriter out = spec.commandLine().getOut();
      PipelineLock.Lease lease =
          PipelineLock.Lease.fromConfiguration(config.name(), config.configuration());
      java.time.Clock clock = java.time.Clock.systemUTC();
      if (!PipelineLock.isHeld(storage, lease, clock)) {
        out.println("Pipeline '" + config.name() + "' has no running update.");
        return 0;
      }
      storage.requestStop();
      out.println(
          "Asked the running update of pipeline '"
              + config.name()
              + "' to stop; waiting for it to end.");
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      while (PipelineLock.isHeld(storage, lease, clock)) {
        if (System.nanoTime() > deadline) {
          spec.commandLine()
              .getErr()
              .println(
                  "The update has not ended after "
                      + timeoutSeconds
                      + " s; the stop"
                      + " request stays in place.");
          return UPDATE_FAILED;
        }
        Thread.sleep(200);
      }
      out.println("The update has ended.");
      return 0;
    }
  }
}
