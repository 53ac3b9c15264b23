package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/tributary} on a Java that Hadoop's file system client cannot run on (23 and later: no
 * {@code Subject.getSubject}), as a user with a newer default {@code java} meets it: each command that
 * opens the pipeline's storage ends with exit 2 and one message naming the storage, the Java it ran on
 * and the versions to use, not a stack trace. Runs where such a JDK is installed beside the one running
 * the build (under the same parent folder, as {@code /usr/lib/jvm} holds them).
 */
class LauncherJavaVersionIT {

  private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

  @TempDir Path dir;

  @Test
  void aJavaTooNewForHadoopIsNamedWithTheVersionsToRunOn() throws Exception {
    Optional<Path> newer = javaNewerThan(22);
    assumeTrue(newer.isPresent(), "no JDK 23 or later beside " + System.getProperty("java.home"));
    Map<String, String> env =
        Map.of(
            "PATH",
            newer.get().resolve("bin") + ":" + System.getenv("PATH"),
            "TRIBUTARY_CDS_DIR",
            dir.resolve("cds").toString(),
            "TRIBUTARY_LOG_DIR",
            dir.resolve("log").toString());
    Path storage = dir.resolve("storage");
    for (String command : List.of("validate", "start")) {
      LauncherProcess run =
          LauncherProcess.run(
              dir,
              env,
              command,
              "examples/pipelines/medallion.yml",
              "--storage",
              storage.toString());
      assertThat(run.exitCode()).as("exit of %s:%n%s", command, run.output()).isEqualTo(2);
      assertThat(run.output())
          .as(command)
          .contains("Cannot open the pipeline storage " + storage)
          .contains(" on Java " + feature(newer.get()) + " (" + newer.get())
          .contains("Subject.getSubject")
          .contains("Run Tributary on Java 17 or 21")
          .doesNotContain("\tat ")
          .doesNotContain("Exception");
    }
    assertThat(storage).as("nothing written").doesNotExist();
  }

  /** A JDK beside this build's whose major version is above {@code version}, the newest first. */
  private static Optional<Path> javaNewerThan(int version) throws IOException {
    Path home = Path.of(System.getProperty("java.home")).toRealPath();
    try (Stream<Path> jdks = Files.list(home.getParent())) {
      // a JDK's folder as the JVM names its java.home: a packaged JDK sits there under a link too
      return jdks.filter(j -> Files.isExecutable(j.resolve("bin/java")))
          .map(LauncherJavaVersionIT::realPath)
          .distinct()
          .filter(j -> feature(j) > version)
          .max(Comparator.comparingInt(LauncherJavaVersionIT::feature));
    }
  }

  private static Path realPath(Path jdk) {
    try {
      return jdk.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The major version a JDK's {@code release} file names; 0 without one. */
  private static int feature(Path jdk) {
    try {
      Matcher m = VERSION.matcher(Files.readString(jdk.resolve("release")));
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException e) {
      return 0;
    }
  }
}
