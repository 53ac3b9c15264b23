package io.tributary.runtime.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteExecutorTest {

  @TempDir Path dir;

  /** A cluster whose REST API does not answer gets one job at a time: its free slots are not known. */
  @Test
  void saysNoSlotsWhenTheClustersRestApiDoesNotAnswer() throws Exception {
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    assertThat(
            new RestCaughtUpReader(java.net.URI.create("http://127.0.0.1:" + closed)).freeSlots())
        .isEmpty();
    try (RemoteExecutor executor = RemoteExecutor.connect("127.0.0.1:" + closed, List.of())) {
      assertThat(executor.slots()).isEmpty();
      assertThat(executor.clusterSlots().isKnown()).isFalse();
      assertThat(executor.clusterSlots().unknownBecause())
          .startsWith("its REST API did not answer");
    }
  }

  @Test
  void parsesHostAndPortOfARestEndpoint() {
    assertThat(RemoteExecutor.HostPort.parse("127.0.0.1:8081"))
        .isEqualTo(new RemoteExecutor.HostPort("127.0.0.1", 8081));
    assertThat(RemoteExecutor.HostPort.parse(" http://jobmanager:8081/ ").toString())
        .isEqualTo("jobmanager:8081");
  }

  @Test
  void rejectsAnEndpointWithoutAUsablePort() {
    assertThatThrownBy(() -> RemoteExecutor.HostPort.parse("jobmanager"))
        .hasMessage(
            "Flink cluster 'jobmanager': expected HOST:PORT of its REST endpoint, such as 127.0.0.1:8081"
                + " (the JobManager's rest.port).");
    assertThatThrownBy(() -> RemoteExecutor.HostPort.parse("jobmanager:80801"))
        .hasMessage(
            "Flink cluster 'jobmanager:80801': the port must be a number from 1 to 65535, such as"
                + " 127.0.0.1:8081 (the JobManager's rest.port).");
  }

  @Test
  void packsAClassesFolderIntoAJarWithTheSamePaths() throws Exception {
    Files.createDirectories(dir.resolve("com/example"));
    Files.writeString(dir.resolve("com/example/Pipeline.class"), "bytes");
    Files.writeString(dir.resolve("app.properties"), "a=1");

    Path jar = JobJars.pack(dir);

    try (JarFile file = new JarFile(jar.toFile())) {
      assertThat(Collections.list(file.entries()).stream().map(e -> e.getName()).toList())
          .containsExactly("app.properties", "com/example/Pipeline.class");
      assertThat(
              new String(
                  file.getInputStream(file.getEntry("com/example/Pipeline.class")).readAllBytes()))
          .isEqualTo("bytes");
    }
  }

  @Test
  void refusesAJarThatIsNotTheDeployableOne() throws Exception {
    Path notIt = JobJars.pack(Files.createDirectories(dir.resolve("empty")));
    String before = System.getProperty(JobJars.JAR_PROPERTY);
    System.setProperty(JobJars.JAR_PROPERTY, notIt.toString());
    try {
      assertThatThrownBy(() -> JobJars.forPipeline(List.of(RemoteExecutorTest.class)))
          .hasMessage(
              "'"
                  + notIt
                  + "' (named by tributary.flinkJar or TRIBUTARY_FLINK_JAR) is not Tributary's"
                  + " deployable jar: it must exist and hold Tributary with Delta Kernel inside. Build it with"
                  + " `mvn -pl dist -am package`.");
    } finally {
      if (before == null) {
        System.clearProperty(JobJars.JAR_PROPERTY);
      } else {
        System.setProperty(JobJars.JAR_PROPERTY, before);
      }
    }
  }
}
