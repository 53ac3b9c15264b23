package io.tributary.runtime.delta;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The commit and checkpoint files in a table's {@code _delta_log}, named as the Delta protocol names
 * them ({@code %020d.json}, {@code %020d.checkpoint.parquet}, multi-part {@code
 * %020d.checkpoint.%010d.%010d.parquet}), as listed at one moment, each list by version (then name):
 * a file system lists a folder in its own order (the local disk in the order of its directory entries,
 * 7, 6, 1, 5, 8, 2, 0, 3, 4 for one table), and a reader of the commits needs the order they were made
 * in, since a remove names a file an earlier commit added.
 */
public record DeltaLogDirectory(List<FileStatus> commits, List<FileStatus> checkpoints) {

  private static final Pattern COMMIT = Pattern.compile("(\\d{20})\\.json");
  private static final Pattern CHECKPOINT =
      Pattern.compile("(\\d{20})\\.checkpoint(\\.\\d{10}\\.\\d{10})?\\.parquet");
  private static final Comparator<FileStatus> BY_VERSION =
      Comparator.comparingLong(DeltaLogDirectory::version)
          .thenComparing(f -> f.getPath().getName());

  public static DeltaLogDirectory list(Path tableRoot, Configuration conf) {
    Path log = new Path(tableRoot, "_delta_log");
    try {
      FileSystem fs = log.getFileSystem(conf);
      List<FileStatus> commits = new ArrayList<>();
      List<FileStatus> checkpoints = new ArrayList<>();
      for (FileStatus status : fs.listStatus(log)) {
        String name = status.getPath().getName();
        if (COMMIT.matcher(name).matches()) {
          commits.add(status);
        } else if (CHECKPOINT.matcher(name).matches()) {
          checkpoints.add(status);
        }
      }
      commits.sort(BY_VERSION);
      checkpoints.sort(BY_VERSION);
      return new DeltaLogDirectory(List.copyOf(commits), List.copyOf(checkpoints));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + log + ": " + e.getMessage(), e);
    }
  }

  /** The version a commit or checkpoint file is of. */
  public static long version(FileStatus file) {
    String name = file.getPath().getName();
    Matcher m = COMMIT.matcher(name);
    if (!m.matches()) {
      m = CHECKPOINT.matcher(name);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a Delta log file: " + name);
      }
    }
    return Long.parseLong(m.group(1));
  }

  /**
   * The newest checkpoint version whose parts are all there (a multi-part checkpoint written halfway
   * does not count), or empty.
   */
  public OptionalLong lastCheckpoint() {
    return checkpoints.stream()
        .mapToLong(DeltaLogDirectory::version)
        .distinct()
        .filter(v -> complete(v))
        .max();
  }

  /** The files of the checkpoint at {@code version}. */
  public List<FileStatus> checkpointFiles(long version) {
    return checkpoints.stream().filter(f -> version(f) == version).toList();
  }

  private boolean complete(long version) {
    List<FileStatus> parts = checkpointFiles(version);
    if (parts.stream().anyMatch(f -> f.getPath().getName().endsWith(".checkpoint.parquet"))) {
      return true;
    }
    Matcher m = CHECKPOINT.matcher(parts.get(0).getPath().getName());
    m.matches();
    int expected = Integer.parseInt(m.group(2).substring(12));
    return parts.size() == expected;
  }

  /** Every commit and checkpoint file's name, to tell what a cleanup deleted. */
  public List<String> names() {
    List<String> names = new ArrayList<>();
    commits.forEach(f -> names.add(f.getPath().getName()));
    checkpoints.forEach(f -> names.add(f.getPath().getName()));
    return names;
  }
}
