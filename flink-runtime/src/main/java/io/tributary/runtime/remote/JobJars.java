package io.tributary.runtime.remote;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The jars a job needs on a cluster that has never seen Tributary: Tributary's deployable jar
 * ({@code tributary-flink.jar}: Tributary, Delta Kernel, Parquet and the Hadoop client, Flink left out)
 * and the jars of the user's pipeline classes. Found once per update and reused for each of its jobs.
 *
 * <p>The deployable jar is the one this class was loaded from when the client runs from it
 * ({@code java -jar tributary-flink.jar start …}); otherwise the path in the system property
 * {@value #JAR_PROPERTY} or the environment variable {@value #JAR_ENV}. A pipeline class loaded from a
 * folder (an IDE's or Maven's {@code target/classes}) is packed into a jar of that folder once.
 */
public final class JobJars {

  public static final String JAR_PROPERTY = "tributary.flinkJar";
  public static final String JAR_ENV = "TRIBUTARY_FLINK_JAR";

  /** A class only the deployable jar holds beside Tributary's: Delta Kernel's defaults, shaded in. */
  private static final String SHADED_MARKER = "io/delta/kernel/defaults/engine/DefaultEngine.class";

  private JobJars() {}

  /** The deployable jar and the jars of {@code pipelineClasses} (folders packed into temporary jars). */
  public static List<Path> forPipeline(Collection<Class<?>> pipelineClasses) {
    Path deployable = deployableJar();
    Set<Path> jars = new LinkedHashSet<>();
    jars.add(deployable);
    for (Class<?> type : pipelineClasses) {
      location(type)
          .filter(path -> !path.equals(deployable) && !isTributary(path))
          .ifPresent(path -> jars.add(Files.isDirectory(path) ? pack(path) : path));
    }
    return List.copyOf(jars);
  }

  /** Tributary's deployable jar, as the class comment says where it is found. */
  public static Path deployableJar() {
    Optional<Path> own = location(JobJars.class).filter(JobJars::isShaded);
    if (own.isPresent()) {
      return own.get();
    }
    String named = System.getProperty(JAR_PROPERTY, System.getenv(JAR_ENV));
    if (named == null || named.isBlank()) {
      throw new IllegalStateException(
          "Running on a Flink cluster needs Tributary's deployable jar "
              + "(tributary-flink.jar, built by `mvn -pl dist -am package`) to ship with the jobs. Run the client "
              + "from it (java -jar tributary-flink.jar start …), or name it with -D"
              + JAR_PROPERTY
              + "=PATH or the "
              + "environment variable "
              + JAR_ENV
              + ".");
    }
    Path jar = Path.of(named).toAbsolutePath();
    if (!Files.isRegularFile(jar) || !isShaded(jar)) {
      throw new IllegalStateException(
          "'"
              + jar
              + "' (named by "
              + JAR_PROPERTY
              + " or "
              + JAR_ENV
              + ") is not "
              + "Tributary's deployable jar: it must exist and hold Tributary with Delta Kernel inside. Build it with "
              + "`mvn -pl dist -am package`.");
    }
    return jar;
  }

  private static Optional<Path> location(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath());
    } catch (URISyntaxException | IllegalArgumentException notAFile) {
      return Optional.empty();
    }
  }

  private static boolean isShaded(Path path) {
    if (!Files.isRegularFile(path)) {
      return false;
    }
    try (JarFile jar = new JarFile(path.toFile())) {
      return jar.getEntry(SHADED_MARKER) != null
          && jar.getEntry("io/tributary/runtime/Tributary.class") != null;
    } catch (IOException notAJar) {
      return false;
    }
  }

  /** A folder or jar of Tributary's own modules: the deployable jar already holds those classes. */
  private static boolean isTributary(Path path) {
    return Files.isRegularFile(path.resolve("io/tributary/runtime/Tributary.class"))
        || Files.isRegularFile(path.resolve("io/tributary/dsl/Pipeline.class"));
  }

  /** Packs a classes folder into a temporary jar (deleted when the JVM exits). */
  static Path pack(Path folder) {
    try {
      Path jar = Files.createTempFile("tributary-pipeline-", ".jar");
      jar.toFile().deleteOnExit();
      List<Path> files = new ArrayList<>();
      try (Stream<Path> walk = Files.walk(folder)) {
        walk.filter(Files::isRegularFile).sorted().forEach(files::add);
      }
      try (OutputStream out = Files.newOutputStream(jar);
          JarOutputStream zip = new JarOutputStream(out)) {
        for (Path file : files) {
          zip.putNextEntry(new JarEntry(folder.relativize(file).toString().replace('\\', '/')));
          Files.copy(file, zip);
          zip.closeEntry();
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot pack the pipeline's classes in " + folder + " into a jar: " + e.getMessage(), e);
    }
  }
}
