package io.tributary.cluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The jars of a standalone cluster's classpath: the resolved closure of the Flink artifacts a Flink
 * distribution's {@code lib/} holds, as this module's build wrote them ({@code flink-lib.classpath}).
 * It refuses a list holding a class a Flink distribution does not have (Tributary's, Delta's, Parquet's,
 * Hadoop's, picocli's, plain Jackson), so a test on the cluster proves that a job brings its own.
 */
public final class FlinkLib {

  /** Class folders no jar of the cluster may hold. */
  static final List<String> FORBIDDEN =
      List.of(
          "io/tributary/",
          "io/delta/",
          "org/apache/parquet/",
          "org/apache/hadoop/",
          "picocli/",
          "com/fasterxml/jackson/");

  private FlinkLib() {}

  /** The cluster's jars, each checked. */
  public static List<Path> jars() {
    List<Path> jars = new ArrayList<>();
    for (String entry : read().split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        jars.add(Path.of(entry.trim()));
      }
    }
    if (jars.isEmpty()) {
      throw new IllegalStateException(
          "flink-lib.classpath lists no jar: build the cluster-fixture module first.");
    }
    for (Path jar : jars) {
      check(jar);
    }
    return List.copyOf(jars);
  }

  /** The classpath string of {@link #jars()}. */
  public static String classpath() {
    return String.join(File.pathSeparator, jars().stream().map(Path::toString).toList());
  }

  private static String read() {
    try (InputStream in = FlinkLib.class.getResourceAsStream("flink-lib.classpath")) {
      if (in == null) {
        throw new IllegalStateException(
            "io/tributary/cluster/flink-lib.classpath is not on the classpath: "
                + "it is written by the cluster-fixture module's build (maven-dependency-plugin:build-classpath).");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void check(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "Flink jar " + jar + " is missing from the local repository.");
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        for (String forbidden : FORBIDDEN) {
          if (name.startsWith(forbidden)) {
            throw new IllegalStateException(
                "The cluster's classpath must hold only Flink's own jars, but "
                    + jar
                    + " holds "
                    + name
                    + ".");
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + jar, e);
    }
  }
}
