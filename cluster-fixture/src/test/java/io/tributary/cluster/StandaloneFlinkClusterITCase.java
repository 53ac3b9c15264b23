package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/** The fixture itself: separate processes with Flink's jars alone, a TaskManager killed and replaced. */
@DisabledIfSystemProperty(named = StandaloneFlinkCluster.SKIP_PROPERTY, matches = "true")
class StandaloneFlinkClusterITCase {

  @Test
  void startsSeparateProcessesWithFlinkJarsAloneAndReplacesAKilledTaskManager() throws Exception {
    Path work = Path.of("target", "cluster", "fixture");
    long start = System.nanoTime();
    try (StandaloneFlinkCluster cluster =
        StandaloneFlinkCluster.builder(work)
            .taskManagers(1)
            .set("heartbeat.interval", "1000")
            .set("heartbeat.timeout", "5000")
            .set("env.java.opts.taskmanager", "-Dfixture.probe=taskmanager")
            .start()) {
      System.out.printf("cluster up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
      assertThat(cluster.registeredTaskManagerIds()).containsExactly("taskmanager-0");
      assertThat(cluster.get("/overview").path("slots-total").asInt()).isEqualTo(2);
      Process taskManager = cluster.taskManagerProcesses().get(0);
      assertThat(taskManager.pid()).isNotEqualTo(ProcessHandle.current().pid());
      // the launch command, as the fixture wrote it atop the process's output (ps truncates it)
      String command = Files.readAllLines(cluster.logDir().resolve("taskmanager-0.out")).get(0);
      assertThat(command)
          .contains("org.apache.flink.runtime.taskexecutor.TaskManagerRunner")
          .contains("flink-runtime-2.3.0.jar")
          .doesNotContain("tributary")
          .doesNotContain("delta-kernel")
          .doesNotContain("hadoop-client")
          .doesNotContain("parquet");
      // the JVM options a distribution's scripts take from the configuration: env.java.opts.all
      // (the fixture's), then the TaskManager's own, before the main class
      String jvmOptions = command.substring(0, command.indexOf(" -classpath "));
      assertThat(jvmOptions)
          .contains(" -XX:FreqInlineSize=60 -XX:InlineSmallCode=600 -Dfixture.probe=taskmanager");
      String jobManager = Files.readAllLines(cluster.logDir().resolve("jobmanager.out")).get(0);
      assertThat(jobManager.substring(0, jobManager.indexOf(" -classpath ")))
          .contains(" -XX:FreqInlineSize=60 -XX:InlineSmallCode=600")
          .doesNotContain("fixture.probe");

      cluster.killTaskManager(0);
      assertThat(taskManager.isAlive()).isFalse();
      assertThat(taskManager.exitValue()).isEqualTo(137); // 128 + SIGKILL
      assertThat(cluster.startTaskManager()).isEqualTo(1);
      long replaced = System.nanoTime();
      // the killed one drops out when its heartbeat times out; the new one registers under its own
      // id
      long deadline = replaced + Duration.ofSeconds(60).toNanos();
      while (!cluster.registeredTaskManagerIds().equals(List.of("taskmanager-1"))
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      System.out.printf("replaced in %d ms%n", (System.nanoTime() - replaced) / 1_000_000);
      assertThat(cluster.registeredTaskManagerIds()).containsExactly("taskmanager-1");
      // the resource manager lists it a moment before the task manager logs the registration
      Path log = work.resolve("log").resolve("taskmanager-1.log");
      long logged = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!Files.readString(log).contains("Successful registration at resource manager")
          && System.nanoTime() < logged) {
        Thread.sleep(100);
      }
      assertThat(Files.readString(log)).contains("Successful registration at resource manager");
    }
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
  }
}
