package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/tributary}'s class-data archive, as a user meets it: the first {@code start} on a classpath
 * lists the classes it loads and, once it has ended, a background process writes the archive; the next
 * {@code start} maps Tributary's own classes from it, a flight recording on. The first start runs its
 * JVM as the launcher's child, not exec'd: a TERM to the launcher (a service manager's stop, a
 * {@code kill}) must reach that JVM, which ends a continuous update gracefully. A start beside the
 * first lists no classes of its own, so two archives are never written at once. Real processes of the
 * launcher on the packaged {@code examples/target} (run by failsafe, after {@code package}).
 */
class LauncherClassDataIT {

  @TempDir Path dir;

  @Test
  void theFirstStartStoppedByATermWritesAnArchiveThatTheNextStartMapsTributarysClassesFrom()
      throws Exception {
    Path cds = dir.resolve("cds");
    Map<String, String> env =
        Map.of(
            "TRIBUTARY_CDS_DIR",
            cds.toString(),
            "TRIBUTARY_LOG_DIR",
            dir.resolve("log").toString());

    Path out = dir.resolve("first.out");
    Process first = LauncherProcess.start(out, env, "start", continuousMedallion().toString());
    long running = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!Files.readString(out).contains("RUNNING")
        && first.isAlive()
        && System.nanoTime() < running) {
      Thread.sleep(200);
    }
    assertThat(Files.readString(out)).as("the continuous update runs").contains("RUNNING");
    // a start beside it runs without listing its classes: one archive is written at a time
    assertThat(launch(env, "start", "examples/pipelines/medallion.yml", "--storage", dir + "/s0"))
        .contains("Update 1 COMPLETED");
    assertThat(names(cds, ".classlist")).as("class lists while the first runs").hasSize(1);
    List<ProcessHandle> jvms =
        first.descendants().filter(p -> p.info().command().orElse("").endsWith("java")).toList();
    assertThat(jvms).as("the launcher's JVM").hasSize(1);
    first.destroy(); // SIGTERM to the launcher
    try {
      assertThat(jvms.get(0).onExit())
          .as("the JVM ends with its launcher")
          .succeedsWithin(Duration.ofMinutes(2));
    } finally {
      jvms.get(0).destroyForcibly();
    }
    assertThat(first.waitFor(1, TimeUnit.MINUTES)).as("the launcher ends").isTrue();
    assertThat(Files.readString(out))
        .as("the JVM stopped the update gracefully")
        .contains("Update 1 STOPPED")
        .doesNotContainIgnoringCase("shared archive");
    assertThat(first.exitValue()).as("a continuous update stopped on request").isZero();

    // the background dump's last step is to release its lock (after it has removed the class list)
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (!names(cds, ".lock").isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(500);
    }
    assertThat(names(cds, ".lock")).as("the dump's lock, released").isEmpty();
    assertThat(names(cds, ".classlist")).as("the class list, removed by the dump").isEmpty();
    assertThat(names(cds, ".jsa")).as("archives in %s", cds).hasSize(1);

    // -Xshare:on: the JVM stops if it cannot map the archive it is given; the class-loading log
    // says where each class came from, and the JDK's own archive holds no Tributary class. A flight
    // recording's class-file-load hook crashed JDK 17 when it loaded a method-handle class the JDK
    // had generated into the archive: the launcher leaves those out.
    Path classLog = dir.resolve("classes.log");
    Map<String, String> mapped = new HashMap<>(env);
    mapped.put(
        "TRIBUTARY_JAVA_OPTS",
        "-Xshare:on -Xlog:class+load=info:file="
            + classLog
            + " -XX:StartFlightRecording=settings=profile,filename="
            + dir.resolve("update.jfr"));
    String second =
        launch(mapped, "start", "examples/pipelines/medallion.yml", "--storage", dir + "/s2");
    assertThat(second).contains("Update 1 COMPLETED").doesNotContainIgnoringCase("shared archive");
    List<String> classes = Files.readAllLines(classLog);
    assertThat(classes)
        .anyMatch(
            l ->
                l.contains("io.tributary.runtime.cli.TributaryCli ")
                    && l.contains("source: shared objects file"));
    // Flink's RPC system (Pekko) too: taken from lib/flink-rpc-akka.jar by
    // ClassPathRpcSystemLoader,
    // not extracted into a temporary jar and a class loader of its own, as Flink's loader does
    assertThat(classes)
        .as("where Flink's RPC system was loaded from")
        .anyMatch(
            l ->
                l.contains("org.apache.flink.runtime.rpc.pekko.PekkoRpcSystem ")
                    && l.contains("source: shared objects file"));
    assertThat(names(cds, ".classlist")).as("no second class list").isEmpty();
  }

  /** The demo's medallion pipeline in continuous mode: it runs until stopped. */
  private Path continuousMedallion() throws IOException {
    Path data = LauncherProcess.ROOT.resolve("examples/data/medallion");
    return Files.writeString(
        dir.resolve("continuous.yml"),
        String.join(
            "\n",
            "name: medallion-continuous",
            "storage: " + dir.resolve("s1"),
            "libraries: [ io.tributary.examples.MedallionPipeline ]",
            "configuration:",
            "  source.orders: " + data.resolve("orders"),
            "  source.customers: " + data.resolve("customers"),
            "continuous: true",
            "trigger:",
            "  interval: 1 s",
            ""));
  }

  /** Runs {@code bin/tributary args…}; its whole output, after asserting exit 0. */
  private String launch(Map<String, String> env, String... args) throws Exception {
    LauncherProcess run = LauncherProcess.run(dir, env, args);
    assertThat(run.exitCode())
        .as("exit of bin/tributary %s:%n%s", List.of(args), run.output())
        .isZero();
    return run.output();
  }

  private static List<String> names(Path folder, String suffix) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(suffix)).toList();
    }
  }
}
