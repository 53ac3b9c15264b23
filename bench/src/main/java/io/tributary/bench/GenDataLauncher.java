package io.tributary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs the shared generator ({@code ../shared/bench/GenData.java}, a single-file JDK program) in a child
 * JVM, so every benchmark reads the same bytes the Spark baseline reads.
 */
public final class GenDataLauncher {

  /** The system property naming GenData.java when it is not found beside the project. */
  public static final String PROPERTY = "bench.gendata";

  private GenDataLauncher() {}

  /**
   * The generator: the {@value #PROPERTY} property, else {@code shared/bench/GenData.java} in the
   * working folder or beside one of its ancestors (the project's root has it at {@code ../shared}).
   */
  public static Path locate() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null) {
      return Path.of(configured);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      for (Path candidate :
          List.of(
              dir.resolve("shared/bench/GenData.java"),
              dir.resolveSibling("shared").resolve("bench/GenData.java"))) {
        if (Files.isRegularFile(candidate)) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException(
        "Cannot find GenData.java: looked for shared/bench/GenData.java in "
            + Path.of("").toAbsolutePath()
            + " and beside its parent folders. Pass -D"
            + PROPERTY
            + "=PATH.");
  }

  /** Generates into {@code out} with these sizes and seed; returns GenData's summary line. */
  public static String generate(
      Path out, long events, int files, int customers, int cdcChanges, long seed) {
    List<String> command =
        new ArrayList<>(
            List.of(
                javaBinary(),
                locate().toString(),
                "--out",
                out.toString(),
                "--events",
                Long.toString(events),
                "--files",
                Integer.toString(files),
                "--customers",
                Integer.toString(customers),
                "--cdc-changes",
                Integer.toString(cdcChanges),
                "--seed",
                Long.toString(seed)));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes()).trim();
      int status = process.waitFor();
      if (status != 0) {
        throw new IllegalStateException(
            "GenData exited with status "
                + status
                + " ("
                + String.join(" ", command)
                + "): "
                + output);
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot run GenData: " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while GenData ran", e);
    }
  }

  private static String javaBinary() {
    return Optional.ofNullable(System.getProperty("java.home"))
        .map(h -> Path.of(h, "bin", "java").toString())
        .orElse("java");
  }
}
