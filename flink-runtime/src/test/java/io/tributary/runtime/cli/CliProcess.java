package io.tributary.runtime.cli;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code tributary} as users do: a separate JVM ({@code java -cp <the test classpath>
 * io.tributary.runtime.cli.TributaryCli …}, mapping a class-data archive as the launcher does:
 * {@link CliClassData}) with the launcher's logging setup, its whole stdout and
 * stderr captured in files (so a full pipe never blocks it) and its exit code. What the process
 * loses when it exits, a test of it loses too. Its log file is {@code <workDir>/log/tributary.log}
 * ({@link #logDir}).
 */
final class CliProcess {

  /** The logging setup {@code bin/tributary} gives the CLI. */
  static final Path LOG_CONFIG =
      Path.of("").toAbsolutePath().getParent().resolve("bin/log4j2-cli.properties");

  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private CliProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** What a finished process printed and its exit code. */
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Runs {@code tributary args…} in {@code workDir} to its end (at most {@code timeout}). */
  static Result run(Path workDir, Duration timeout, String... args)
      throws IOException, InterruptedException {
    return start(workDir, args).await(timeout);
  }

  /** Starts {@code tributary args…} in {@code workDir} and returns at once. */
  static CliProcess start(Path workDir, String... args) throws IOException {
    CliClassData classData = CliClassData.get();
    return start(workDir, classData.archiveOptions(), classData.classpath(), args);
  }

  /**
   * Starts {@code tributary args…} in {@code workDir} on {@code classpath}, with {@code jvmOptions}
   * after the CLI processes' own ({@link CliClassData#JVM_OPTIONS}), and returns at once.
   */
  static CliProcess start(Path workDir, List<String> jvmOptions, String classpath, String... args)
      throws IOException {
    if (!Files.isRegularFile(LOG_CONFIG)) {
      throw new IllegalStateException("The CLI's logging setup is not at " + LOG_CONFIG);
    }
    Path logs = Files.createTempDirectory(workDir, "cli-");
    Path out = logs.resolve("stdout");
    Path err = logs.resolve("stderr");
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(CliClassData.JVM_OPTIONS);
    command.addAll(jvmOptions);
    command.add("-Dlog4j.configurationFile=" + LOG_CONFIG);
    command.add("-Dtributary.log.dir=" + logDir(workDir));
    command.addAll(List.of("-cp", classpath, TributaryCli.class.getName()));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    process.getOutputStream().close();
    return new CliProcess(process, out, err);
  }

  /** The folder the CLI run in {@code workDir} writes its log file to, as {@code bin/tributary} sets it. */
  static Path logDir(Path workDir) {
    return workDir.toAbsolutePath().resolve("log");
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** What it has printed to stdout so far. */
  String outSoFar() throws IOException {
    return Files.readString(stdout, Charset.defaultCharset());
  }

  /** Kills it as {@code kill -9} does: no shutdown hook runs, nothing is flushed or closed. */
  void kill9() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-9", String.valueOf(process.pid())).inheritIO().start().waitFor();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("process " + process.pid() + " survived SIGKILL for 30 s");
    }
  }

  /**
   * Freezes it ({@code kill -STOP}): none of its threads runs until {@link #resume}, so what it has
   * written stays as it is while a test looks.
   */
  void freeze() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Lets a frozen process go on ({@code kill -CONT}). */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    int code =
        new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
            .inheritIO()
            .start()
            .waitFor();
    if (code != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited " + code);
    }
  }

  /** Waits for its end (killing it after {@code timeout}) and returns what it printed. */
  Result await(Duration timeout) throws IOException, InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError(
          "tributary did not end within "
              + timeout
              + "; it printed:\n"
              + new Result(
                  -1,
                  Files.readString(stdout, Charset.defaultCharset()),
                  Files.readString(stderr, Charset.defaultCharset())));
    }
    return new Result(
        process.exitValue(),
        Files.readString(stdout, Charset.defaultCharset()),
        Files.readString(stderr, Charset.defaultCharset()));
  }
}
