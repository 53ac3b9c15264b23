package io.tributary.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.junit.jupiter.api.Test;

class RocksDbDefaultsTest {

  @Test
  void aJobsRocksDbStateHasBloomFiltersAndPartitionedIndexAndFilterBlocks() {
    Configuration conf = new Configuration();

    RocksDbDefaults.applyTo(conf);

    assertThat(conf.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
    assertThat(conf.get(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS)).isTrue();
  }

  @Test
  void aSettingOfTheJobAlreadyMadeIsKept() {
    Configuration conf = new Configuration();
    conf.set(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS, false);

    RocksDbDefaults.applyTo(conf);

    assertThat(conf.get(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS)).isFalse();
    assertThat(conf.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
  }
}
