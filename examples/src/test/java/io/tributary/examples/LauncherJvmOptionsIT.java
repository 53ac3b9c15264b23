package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM options {@code bin/tributary start} adds for a triggered update, read back from the JVM itself
 * ({@code -XX:+PrintCommandLineFlags}): C2's compile thresholds, the parallel collector and an initial heap of 2 GiB or the
 * maximum if smaller, never above the maximum however the user sets it (an initial heap above an
 * {@code -Xmx} stops the JVM, above a default maximum raises it), never over the user's own initial
 * sizing, and none of it for a continuous pipeline. Each start is given a pipeline file it
 * cannot run, so the JVM starts, prints its flags and the CLI's error, and ends at once.
 */
class LauncherJvmOptionsIT {

  private static final long MIB = 1024 * 1024;
  private static final Pattern FLAG = Pattern.compile("-XX:([+-]?)(\\w+)(?:=(\\S+))?");

  @TempDir Path dir;

  @Test
  void aTriggeredUpdateStartsWithTwoGibibytesOfHeapOrItsWholeMaximum() throws Exception {
    Map<String, String> flags = flags(triggered(), "");
    assertThat(flags)
        .containsEntry("UseParallelGC", "+")
        .containsEntry("MetaspaceSize", "" + 128 * MIB)
        .containsKey("InitialRAMPercentage")
        .containsEntry("Tier4InvocationThreshold", "15000")
        .containsEntry("Tier4MinInvocationThreshold", "1800")
        .containsEntry("Tier4CompileThreshold", "45000")
        .containsEntry("Tier4BackEdgeThreshold", "120000");
    long max = Long.parseLong(flags.get("MaxHeapSize"));
    assertThat(Long.parseLong(flags.get("InitialHeapSize")))
        .isCloseTo(Math.min(2048 * MIB, max), within(MIB));

    assertThat(Long.parseLong(flags(triggered(), "-Xmx8g").get("InitialHeapSize")))
        .isCloseTo(2048 * MIB, within(MIB));
    assertThat(flags(triggered(), "-Xmx1g"))
        .as("never above the user's maximum (the JVM would raise the maximum to it)")
        .containsEntry("InitialHeapSize", "" + 1024 * MIB)
        .containsEntry("MaxHeapSize", "" + 1024 * MIB);
    assertThat(flags(triggered(), "-XX:MaxRAMPercentage=2"))
        .as("nor above a maximum the user sizes otherwise")
        .containsEntry(
            "InitialHeapSize", flags(triggered(), "-XX:MaxRAMPercentage=2").get("MaxHeapSize"));
  }

  @Test
  void theUsersOwnSizingAndAContinuousPipelineAreLeftAsTheyAre() throws Exception {
    assertThat(flags(triggered(), "-Xms512m -XX:MetaspaceSize=64m -XX:Tier4CompileThreshold=20000"))
        .containsEntry("InitialHeapSize", "" + 512 * MIB)
        .containsEntry("MetaspaceSize", "" + 64 * MIB)
        .doesNotContainKey("InitialRAMPercentage")
        .containsEntry("Tier4CompileThreshold", "20000")
        .doesNotContainKeys("Tier4InvocationThreshold", "Tier4BackEdgeThreshold");

    Map<String, String> continuous = flags(continuous(), "");
    assertThat(continuous)
        .doesNotContainKeys(
            "UseParallelGC", "MetaspaceSize", "InitialRAMPercentage", "Tier4CompileThreshold");
  }

  /** The JVM's command-line flags of {@code bin/tributary start pipeline} with {@code javaOptions}. */
  private Map<String, String> flags(Path pipeline, String javaOptions) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("TRIBUTARY_CDS", "0");
    env.put("TRIBUTARY_LOG_DIR", dir.resolve("log").toString());
    env.put("TRIBUTARY_JAVA_OPTS", (javaOptions + " -XX:+PrintCommandLineFlags").trim());
    LauncherProcess run = LauncherProcess.run(dir, env, "start", pipeline.toString());
    String printed =
        run.output()
            .lines()
            .filter(l -> l.contains("-XX:+PrintCommandLineFlags"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no JVM flags in:\n" + run.output()));
    assertThat(run.output()).as("the CLI ran and rejected the file").contains(pipeline.toString());
    assertThat(run.exitCode()).isNotZero();
    Map<String, String> flags = new HashMap<>();
    Matcher m = FLAG.matcher(printed);
    while (m.find()) {
      flags.put(m.group(2), m.group(3) != null ? m.group(3) : m.group(1));
    }
    return flags;
  }

  private Path triggered() throws Exception {
    return Files.writeString(dir.resolve("triggered.yml"), "libraries: [ not.a.Class ]\n");
  }

  private Path continuous() throws Exception {
    return Files.writeString(
        dir.resolve("continuous.yml"), "continuous: true\nlibraries: [ not.a.Class ]\n");
  }
}
