package io.tributary.runtime.cli;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * The class path and class-data archive (AppCDS) every {@link CliProcess} of this test JVM starts
 * with, as {@code bin/tributary} gives users one: the classes a CLI process loads are mapped from
 * the archive instead of being read, parsed and verified from their jars in each process (a small
 * {@code start}: 6.1 s and 8.7 CPU-s without, 4.0 s and 5.9 CPU-s with).
 *
 * <p>Made once per build, on the first use by any test JVM, in {@code target/cli-cds-<key>}: the
 * module's class folders packed into jars (an archive's class path may hold no folder), then one
 * training {@code start} of {@link Training} that writes the archive when it exits ({@code
 * -XX:ArchiveClassesAtExit}, about 17 s in all, more under load), which fails every CLI test with its
 * output if it cannot. The key is a digest of this JDK and of every class path entry's files with
 * their sizes and times, so a changed class makes a new one; the test JVMs that surefire runs side by
 * side take it in turn under a file lock ({@code target/cli-cds.lock}), the first makes it and the
 * others map the same, and the folders of earlier builds are removed. A JVM that cannot map the
 * archive runs without it ({@code -Xshare:auto}, the default) and says so on its stdout, which the
 * tests that read a whole terminal would catch.
 */
final class CliClassData {

  /** The JVM options of every CLI process, and of the training run that archives their classes. */
  static final List<String> JVM_OPTIONS =
      List.of("-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(3);

  private final String classpath;
  private final List<String> archiveOptions;

  private CliClassData(String classpath, List<String> archiveOptions) {
    this.classpath = classpath;
    this.archiveOptions = archiveOptions;
  }

  /** The class path CLI processes run with: the test JVM's, its class folders packed into jars. */
  String classpath() {
    return classpath;
  }

  /** The options that map the archive. */
  List<String> archiveOptions() {
    return archiveOptions;
  }

  /** This test JVM's, made on first use. */
  static CliClassData get() {
    return Holder.INSTANCE;
  }

  private static final class Holder {
    static final CliClassData INSTANCE = make();
  }

  /** A pipeline whose one update loads what most CLI commands load: a stream, a table, expectations. */
  public static final class Training implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("orders")
          .from(AutoLoader.json(p.conf("source", "/none")).schema("order_id STRING, amount DOUBLE"))
          .expectOrDrop("positive_amount", "amount > 0");
      p.table("totals").sql("SELECT order_id, SUM(amount) AS total FROM orders GROUP BY order_id");
    }
  }

  private static CliClassData make() {
    String testClasspath = System.getProperty("java.class.path");
    try {
      Path target = Files.createDirectories(Path.of("target").toAbsolutePath());
      Path dir = target.resolve("cli-cds-" + key(testClasspath));
      try (FileChannel lockFile =
              FileChannel.open(
                  target.resolve("cli-cds.lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        Path made = dir.resolve("classpath.txt"); // written last: the folder is complete
        if (!Files.isRegularFile(made)) {
          removeEarlierBuilds(target);
          Files.createDirectories(dir);
          List<String> entries = new ArrayList<>();
          for (String entry : testClasspath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            entries.add(Files.isDirectory(path) ? packed(path, dir).toString() : entry);
          }
          String classpath = String.join(File.pathSeparator, entries);
          train(dir, classpath, dir.resolve("cli.jsa"));
          Files.writeString(made, classpath);
        }
        return new CliClassData(
            Files.readString(made), List.of("-XX:SharedArchiveFile=" + dir.resolve("cli.jsa")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while training the CLI's class-data archive", e);
    }
  }

  /**
   * A digest of this JDK and of each class path entry: a jar's size and time, every file of a folder
   * with its size and time (what the packed jars and the archive were made from).
   */
  private static String key(String testClasspath) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    StringBuilder text =
        new StringBuilder(System.getProperty("java.home"))
            .append(' ')
            .append(System.getProperty("java.vm.version"))
            .append('\n');
    for (String entry : testClasspath.split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (!Files.isDirectory(path)) {
        text.append(entry).append(' ').append(stamp(path)).append('\n');
        continue;
      }
      try (Stream<Path> files = Files.walk(path)) {
        for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
          text.append(file).append(' ').append(stamp(file)).append('\n');
        }
      }
    }
    return HexFormat.of()
        .formatHex(digest.digest(text.toString().getBytes(StandardCharsets.UTF_8)))
        .substring(0, 16);
  }

  private static String stamp(Path file) throws IOException {
    return Files.exists(file)
        ? Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis()
        : "absent";
  }

  /**
   * The folders earlier builds made, once an hour old (a test JVM of this build may still be using
   * one made under another key: left alone), and a half-made one a killed build left.
   */
  private static void removeEarlierBuilds(Path target) throws IOException {
    long hourAgo = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
    try (Stream<Path> folders = Files.list(target)) {
      for (Path folder : folders.toList()) {
        if (folder.getFileName().toString().startsWith("cli-cds-")
            && Files.isDirectory(folder)
            && (!Files.exists(folder.resolve("classpath.txt"))
                || Files.getLastModifiedTime(folder).toMillis() < hourAgo)) {
          deleteTree(folder);
        }
      }
    }
  }

  /** Runs the training update, which writes the archive as it exits. */
  private static void train(Path dir, String classpath, Path archive)
      throws IOException, InterruptedException {
    Path work = Files.createDirectories(dir.resolve("training"));
    Path input = Files.createDirectories(work.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        "{\"order_id\":\"o1\",\"amount\":5.0}\n{\"order_id\":\"o2\",\"amount\":-1.0}\n");
    Path pipeline =
        Files.writeString(
            work.resolve("pipeline.yml"),
            "name: training\nstorage: storage\nlibraries:\n  - "
                + Training.class.getName()
                + "\nconfiguration:\n  source: "
                + input
                + "\nflink:\n  parallelism: 1\n");
    CliProcess.Result result =
        CliProcess.start(
                work,
                List.of("-XX:ArchiveClassesAtExit=" + archive),
                classpath,
                "start",
                pipeline.toString())
            .await(TRAINING_TIMEOUT);
    if (result.code() != 0 || !Files.isRegularFile(archive)) {
      throw new IllegalStateException(
          "The CLI's class-data training run did not write " + archive + ": " + result);
    }
  }

  /** {@code folder}'s files in a jar under {@code dir}. */
  private static Path packed(Path folder, Path dir) throws IOException {
    Path jar = Files.createTempFile(dir, folder.getFileName().toString() + "-", ".jar");
    Files.delete(jar);
    ToolProvider tool =
        ToolProvider.findFirst("jar")
            .orElseThrow(() -> new IllegalStateException("this JDK has no jar tool"));
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int code =
        tool.run(
            System.out,
            new PrintStream(errors, true, StandardCharsets.UTF_8),
            "--create",
            "--file",
            jar.toString(),
            "-C",
            folder.toString(),
            ".");
    if (code != 0) {
      throw new IOException(
          "jar of " + folder + " failed: " + errors.toString(StandardCharsets.UTF_8));
    }
    return jar;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a folder under target/: `mvn clean` removes what is left
    }
  }
}
