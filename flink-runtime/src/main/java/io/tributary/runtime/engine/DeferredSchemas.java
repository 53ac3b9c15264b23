package io.tributary.runtime.engine;

import io.tributary.dsl.AutoLoader;
import io.tributary.runtime.source.AutoLoaderSchemas;
import io.tributary.runtime.storage.PipelineStorage;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.table.types.logical.RowType;

/**
 * The Auto Loader schemas an update's first analysis derived without storing any (it runs before the
 * update holds the pipeline's lock), stored by {@link #store} once it does. So one analysis serves
 * both the check before the lock and the update itself.
 */
public final class DeferredSchemas {

  private record Resolved(AutoLoader source, boolean legacyRescuedColumn, RowType type) {}

  private final PipelineStorage storage;
  private final Map<String, Resolved> resolved = new LinkedHashMap<>();

  public DeferredSchemas(PipelineStorage storage) {
    this.storage = storage;
  }

  /**
   * The row type of {@code dataset}'s Auto Loader source, stored or inferred, without storing it.
   *
   * @param legacyRescuedColumn see {@link AutoLoaderSchemas#resolve(AutoLoader, String,
   *     org.apache.hadoop.conf.Configuration, boolean, boolean)}
   */
  synchronized RowType resolve(String dataset, AutoLoader source, boolean legacyRescuedColumn) {
    RowType type =
        AutoLoaderSchemas.resolve(
            source,
            storage.schemaLocation(dataset),
            storage.hadoopConf(),
            false,
            legacyRescuedColumn);
    resolved.put(dataset, new Resolved(source, legacyRescuedColumn, type));
    return type;
  }

  /**
   * Stores the schemas inferred by the analysis where none is stored yet, and tells whether every
   * source's schema is still the one analyzed. False when a schema stored meanwhile (or inferred from
   * files that arrived meanwhile) differs: the pipeline must then be analyzed again.
   */
  public synchronized boolean store() {
    boolean same = true;
    for (Map.Entry<String, Resolved> entry : resolved.entrySet()) {
      Resolved analyzed = entry.getValue();
      RowType now =
          AutoLoaderSchemas.resolve(
              analyzed.source(),
              storage.schemaLocation(entry.getKey()),
              storage.hadoopConf(),
              true,
              analyzed.legacyRescuedColumn());
      same &= now.equals(analyzed.type());
    }
    return same;
  }
}
