package io.tributary.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writing a table's files and committing through {@code FileContext} needs no child process: a JVM
 * whose {@code PATH} has no {@code chmod} or {@code readlink} still writes them with the pipeline's
 * configuration, while Hadoop's own local file system cannot.
 */
class NioLocalFileSystemProcessTest {

  @TempDir Path dir;

  @Test
  void writesFilesAndCommitsWithoutAnyProgramOnThePath() throws Exception {
    Result ours = run("pipeline", dir.resolve("ours"));
    Result stock = run("stock", dir.resolve("stock"));

    assertThat(ours.exit()).as(ours.output()).isZero();
    assertThat(ours.output()).contains("written");
    assertThat(dir.resolve("ours/_delta_log/00000.json")).exists();
    assertThat(stock.exit())
        .as("Hadoop's own file system runs chmod: %s", stock.output())
        .isNotZero();
    assertThat(stock.output()).contains("chmod");
  }

  private record Result(int exit, String output) {}

  private static Result run(String conf, Path target) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                Writer.class.getName(),
                conf,
                target.toString())
            .redirectErrorStream(true);
    builder.environment().put("PATH", "/nonexistent");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  /** Writes a data file and a commit the way the Delta writers do, with one configuration. */
  public static final class Writer {
    public static void main(String[] args) throws Exception {
      Configuration conf =
          args[0].equals("stock") ? new Configuration() : HadoopSettings.none().toConfiguration();
      org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(Path.of(args[1]).toUri());
      FileSystem fs = FileSystem.newInstance(root.toUri(), conf);
      fs.mkdirs(root);
      try (var out = fs.create(new org.apache.hadoop.fs.Path(root, "part-0.parquet"), false)) {
        out.write(1);
      }
      FileContext fc = FileContext.getFileContext(root.toUri(), conf);
      org.apache.hadoop.fs.Path log = new org.apache.hadoop.fs.Path(root, "_delta_log");
      org.apache.hadoop.fs.Path temp = new org.apache.hadoop.fs.Path(log, ".00000.json.tmp");
      try (var out =
          fc.create(temp, EnumSet.of(CreateFlag.CREATE), Options.CreateOpts.createParent())) {
        out.write('{');
      }
      fc.rename(temp, new org.apache.hadoop.fs.Path(log, "00000.json"), Options.Rename.NONE);
      System.out.println("written");
    }
  }
}
