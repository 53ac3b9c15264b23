package io.tributary.runtime.engine;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;

/**
 * How a job's RocksDB state is laid out unless the pipeline's {@code flink: options:} say otherwise:
 * with bloom filters, and with each SST file's index and filter blocks partitioned.
 *
 * <p>Why: Flink bounds RocksDB's memory by its managed memory (its default), and caches each SST
 * file's index and filter blocks in that block cache. Whole (unpartitioned) blocks outgrow the
 * cache's share for them once a state holds a few million keys, and from then on every lookup reads
 * and checksums whole blocks again from the file system. Measured on silver's dedup of the 100M-event
 * benchmark (a lookup and an insert per row, nearly every key new): 80,000 rows/s fell to 2,000 rows/s
 * after 9 million rows, with or without bloom filters and with 64 or 170 MiB of managed memory per
 * slot; with partitioned blocks (only a small top-level index stays whole) it held at 65,000–80,000
 * rows/s. Bloom filters spare a lookup of a new key (the common case of a dedup) the data blocks of
 * every level. Both only change how new SST files are written: state saved without them restores.
 */
final class RocksDbDefaults {

  static final Map<String, String> OPTIONS =
      Map.of(
          RocksDBConfigurableOptions.USE_BLOOM_FILTER.key(), "true",
          RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS.key(), "true");

  private RocksDbDefaults() {}

  /** Sets each default that {@code conf} does not set (the pipeline's options are added after). */
  static void applyTo(Configuration conf) {
    OPTIONS.forEach(
        (key, value) -> {
          if (!conf.containsKey(key)) {
            conf.setString(key, value);
          }
        });
  }
}
