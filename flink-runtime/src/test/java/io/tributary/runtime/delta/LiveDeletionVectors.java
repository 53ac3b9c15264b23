package io.tributary.runtime.delta;

import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.delta.write.DeletionVectorStore;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * Test helper for tests outside this package: which deletion vector file each live data file of a
 * table's latest snapshot uses, read with Kernel.
 */
public final class LiveDeletionVectors {

  private LiveDeletionVectors() {}

  /**
   * The latest snapshot's data files (absolute paths) to the name of the deletion vector file each
   * uses, or the empty string for a file without a vector.
   */
  public static Map<String, String> of(String table) {
    Configuration conf = new Configuration();
    org.apache.hadoop.fs.Path root = DeltaPaths.qualified(table, conf);
    KernelSnapshotScan scan =
        new KernelSnapshotScan(
            DeltaTableReader.engine(), table, -1, DeltaTableReader.schema(table).orElseThrow());
    Map<String, String> files = new TreeMap<>();
    for (DeltaDataFile file : scan.dataFiles()) {
      files.put(
          file.path(),
          file.deletionVector() == null
              ? ""
              : DeletionVectorStore.path(file.deletionVector(), root).getName());
    }
    return files;
  }
}
