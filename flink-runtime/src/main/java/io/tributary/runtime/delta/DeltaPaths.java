package io.tributary.runtime.delta;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** A table's root as its file system names it, shared by the writers, readers and maintenance. */
public final class DeltaPaths {

  private DeltaPaths() {}

  public static Path qualified(String tablePath, Configuration conf) {
    Path path = new Path(tablePath);
    try {
      return path.getFileSystem(conf).makeQualified(path);
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot resolve the file system of table path " + tablePath, e);
    }
  }
}
