package io.tributary.examples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A run of the real {@code bin/tributary} from the project's root, as a user starts it: its exit and its whole output. */
record LauncherProcess(int exitCode, String output) {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** Runs {@code bin/tributary args…} with {@code env} added to this environment, its output in a file of {@code dir}. */
  static LauncherProcess run(Path dir, Map<String, String> env, String... args) throws Exception {
    Path out = Files.createTempFile(dir, "launcher-", ".out");
    Process process = start(out, env, args);
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(
          "bin/tributary " + String.join(" ", List.of(args)) + " ran over 5 minutes");
    }
    return new LauncherProcess(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  /** Starts {@code bin/tributary args…} with {@code env} added to this environment, its output going to {@code out}. */
  static Process start(Path out, Map<String, String> env, String... args) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                Stream.concat(Stream.of(ROOT.resolve("bin/tributary").toString()), Stream.of(args))
                    .toList())
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    return process;
  }
}
