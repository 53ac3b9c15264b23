package io.tributary.runtime.cli;

import io.tributary.dsl.plan.LogicalPlan;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary ui PIPELINE.yml [--port N]}: serves the pipeline page ({@link PipelinePage}) on
 * 127.0.0.1 until the process is stopped; the page refreshes its data while an update runs.
 */
@Command(
    name = "ui",
    description =
        "Serves the pipeline page (graph, tables, expectations, updates, micro-batches)"
            + " on 127.0.0.1 until stopped with Ctrl-C.")
final class UiCommand implements Callable<Integer> {
  @CommandLine.Mixin TributaryCli.PipelineOptions options;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "8090",
      description = "The port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 takes a free one).")
  int port;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--port " + port + " is not a port: use 0 to 65535.");
    }
    PipelineConfig config = options.load();
    LogicalPlan plan = Tributary.fromConfig(config).validate().plan();
    PipelineStorage storage =
        PipelineStorage.at(config.storage(), HadoopSettings.of(config.hadoopSettings()));
    PrintWriter out = spec.commandLine().getOut();
    try (PipelinePageServer server =
        PipelinePageServer.start(port, () -> PipelineState.of(plan, storage, Clock.systemUTC()))) {
      out.println(
          "Serving the page of pipeline '"
              + config.name()
              + "' at "
              + server.url()
              + " (this machine only); stop with Ctrl-C.");
      out.flush();
      new CountDownLatch(1).await();
    } catch (java.net.BindException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "Port "
              + port
              + " on "
              + PipelinePageServer.LOOPBACK
              + " is taken ("
              + e.getMessage()
              + "): choose another with --port.");
    }
    return 0;
  }
}
