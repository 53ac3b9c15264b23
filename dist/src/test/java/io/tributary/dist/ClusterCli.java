package io.tributary.dist;

import io.tributary.cluster.FlinkLib;
import io.tributary.examples.MedallionPipeline;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code tributary} as a user's client with a Flink distribution runs it: a separate JVM whose
 * classpath is the deployable jar, the examples' classes and Flink's jars, its output (stdout and
 * stderr) in a file, killed with SIGKILL when a test says so.
 */
final class ClusterCli {

  private final Process process;
  private final Path output;

  private ClusterCli(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Starts {@code tributary args…}, its output in a new file under {@code workDir}. */
  static ClusterCli start(Path workDir, String... args) throws Exception {
    String classpath =
        String.join(
            File.pathSeparator,
            DeployableJarTest.jar().toString(),
            Path.of(
                    MedallionPipeline.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString(),
            FlinkLib.classpath());
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-XX:+UseSerialGC",
                "-cp",
                classpath,
                "io.tributary.runtime.cli.TributaryCli"));
    command.addAll(List.of(args));
    Files.createDirectories(workDir);
    Path output = Files.createTempFile(workDir, "cli-", ".out");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    process.getOutputStream().close();
    return new ClusterCli(process, output);
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String printed() throws IOException {
    return Files.readString(output);
  }

  /** Kills it as {@code kill -9} does: no shutdown hook runs, its update is left as it was. */
  void kill9() throws Exception {
    new ProcessBuilder("kill", "-9", String.valueOf(process.pid())).inheritIO().start().waitFor();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "tributary (pid " + process.pid() + ") survived SIGKILL for 30 s");
    }
  }

  /** Waits for its end (killing it after {@code timeout}) and returns its exit code. */
  int await(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError(
          "tributary did not end within " + timeout + "; it printed:\n" + printed());
    }
    return process.exitValue();
  }
}
