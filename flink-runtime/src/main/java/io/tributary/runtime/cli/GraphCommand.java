package io.tributary.runtime.cli;

import io.tributary.runtime.Tributary;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.config.PipelineConfig;
import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary graph PIPELINE.yml [--format text|mermaid|dot|html] [--output FILE]}: the dataset
 * graph as text, Mermaid or DOT ({@link GraphRenderer}), or as the pipeline page ({@link PipelinePage}):
 * one self-contained HTML file with the graph and what the event log says of the tables and updates.
 */
@Command(
    name = "graph",
    description =
        "Prints the pipeline's dataset graph: text, Mermaid, DOT, or the pipeline"
            + " page as one self-contained HTML file.")
final class GraphCommand implements Callable<Integer> {
  @CommandLine.Mixin TributaryCli.PipelineOptions options;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--format",
      defaultValue = "text",
      paramLabel = "FORMAT",
      description = "text, mermaid, dot or html (default ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--output",
      paramLabel = "FILE",
      description = "Writes to this file instead of printing.")
  Path output;

  @Override
  public Integer call() {
    String chosen = format.toLowerCase(Locale.ROOT);
    if (!chosen.equals("html")
        && !chosen.equals("text")
        && !chosen.equals("mermaid")
        && !chosen.equals("dot")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--format " + format + " is not a graph format. Use text, mermaid, dot or html.");
    }
    PipelineConfig config = options.load();
    ResolvedPlan plan = Tributary.fromConfig(config).validate();
    String text;
    if (chosen.equals("html")) {
      PipelineStorage storage =
          PipelineStorage.at(config.storage(), HadoopSettings.of(config.hadoopSettings()));
      text = PipelinePage.render(PipelineState.of(plan.plan(), storage, Clock.systemUTC()), false);
    } else {
      text =
          GraphRenderer.render(
              plan.plan(), GraphRenderer.Format.valueOf(chosen.toUpperCase(Locale.ROOT)));
    }
    if (output == null) {
      spec.commandLine().getOut().print(text);
      return 0;
    }
    try {
      Path parent = output.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(output, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + output + ": " + e.getMessage(), e);
    }
    spec.commandLine()
        .getOut()
        .println("Wrote the " + chosen + " graph of pipeline '" + config.name() + "' to " + output);
    return 0;
  }
}
