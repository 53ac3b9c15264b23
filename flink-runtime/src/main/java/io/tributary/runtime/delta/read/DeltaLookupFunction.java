package io.tributary.runtime.delta.read;

import io.delta.kernel.engine.Engine;
import io.delta.kernel.utils.CloseableIterator;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.LookupFunction;
import org.apache.flink.table.types.logical.RowType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lookup side of a Flink lookup join ({@code JOIN dim FOR SYSTEM_TIME AS OF s.proc_time}) over a
 * Delta table: each subtask holds the table's latest snapshot in a hash map keyed on the lookup
 * columns, and reloads it when the table has a newer version, checked at most once per refresh
 * interval. So a stream joined with a table meets the table's latest version, as Delta Live Tables'
 * stream-static joins do, and keeps no state: the map is rebuilt from the table after a restore.
 *
 * <p>A reload that fails (the table is being replaced, storage is unreachable) keeps serving the
 * version already loaded and is tried again after the next interval. A table that does not exist when
 * the function opens is an error naming its path, unless {@link MissingTable#EMPTY} says to serve no
 * rows until it is created. Delta tables enforce no key, so a key may match several rows: all of them
 * are returned.
 *
 * <pre>{@code
 * LookupFunctionProvider.of(new DeltaLookupFunction("/data/tables/dim_users", rowType,
 *     new int[] {0}, Duration.ofSeconds(1)));
 * }</pre>
 */
public final class DeltaLookupFunction extends LookupFunction {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(DeltaLookupFunction.class);

  private final String tablePath;
  private final RowType rowType;
  private final int[] keys;
  private final long refreshMillis;
  private final MissingTable missingTable;
  private final SerializableClock clock;

  private transient Engine engine;
  private transient RowData.FieldGetter[] keyGetters;
  private transient RowData.FieldGetter[] keyRowGetters;
  private transient Map<RowData, List<RowData>> rowsByKey;
  private transient long version;
  private transient long checkedAt;

  /** What a lookup of a table that does not exist (yet) does. */
  private final HadoopSettings hadoop;

  public enum MissingTable {
    /** Fail the job with an error naming the table's path. */
    FAIL,
    /** Serve no rows, and look for the table again after each refresh interval. */
    EMPTY
  }

  /** A clock that tests can replace; the default is the system's. */
  @FunctionalInterface
  interface SerializableClock extends LongSupplier, java.io.Serializable {}

  /**
   * @param rowType the columns read, by name, from the table
   * @param keys the indexes in {@code rowType} of the columns a lookup gives values for, in the
   *     order of the key row {@link #lookup} receives
   * @param refreshInterval how long a loaded version is served before the table's version is checked
   *     again ({@link Duration#ZERO}: at every lookup)
   */
  public DeltaLookupFunction(
      String tablePath,
      RowType rowType,
      int[] keys,
      Duration refreshInterval,
      MissingTable missingTable) {
    this(tablePath, rowType, keys, refreshInterval, missingTable, HadoopSettings.none());
  }

  /** As above, reading the table through the pipeline's Hadoop settings. */
  public DeltaLookupFunction(
      String tablePath,
      RowType rowType,
      int[] keys,
      Duration refreshInterval,
      MissingTable missingTable,
      HadoopSettings hadoop) {
    this(
        tablePath, rowType, keys, refreshInterval, missingTable, System::currentTimeMillis, hadoop);
  }

  DeltaLookupFunction(
      String tablePath,
      RowType rowType,
      int[] keys,
      Duration refreshInterval,
      MissingTable missingTable,
      SerializableClock clock) {
    this(tablePath, rowType, keys, refreshInterval, missingTable, clock, HadoopSettings.none());
  }

  private DeltaLookupFunction(
      String tablePath,
      RowType rowType,
      int[] keys,
      Duration refreshInterval,
      MissingTable missingTable,
      SerializableClock clock,
      HadoopSettings hadoop) {
    this.hadoop = Objects.requireNonNull(hadoop, "hadoop");
    this.tablePath = Objects.requireNonNull(tablePath, "tablePath");
    this.rowType = Objects.requireNonNull(rowType, "rowType");
    this.keys = keys.clone();
    this.refreshMillis = refreshInterval.toMillis();
    this.missingTable = Objects.requireNonNull(missingTable, "missingTable");
    this.clock = clock;
    for (int key : keys) {
      if (key < 0 || key >= rowType.getFieldCount()) {
        throw new IllegalArgumentException(
            "lookup key index " + key + " is not a column of " + rowType);
      }
    }
  }

  @Override
  public void open(FunctionContext context) {
    engine = DeltaTableReader.engine(hadoop);
    keyGetters = new RowData.FieldGetter[keys.length];
    keyRowGetters = new RowData.FieldGetter[keys.length];
    for (int i = 0; i < keys.length; i++) {
      keyGetters[i] = RowData.createFieldGetter(rowType.getTypeAt(keys[i]), keys[i]);
      keyRowGetters[i] = RowData.createFieldGetter(rowType.getTypeAt(keys[i]), i);
    }
    rowsByKey = Map.of();
    version = -1;
    checkedAt = clock.getAsLong();
    long latest;
    try {
      latest = KernelSnapshotScan.snapshot(engine, tablePath, -1).getVersion();
    } catch (DeltaTableException notATable) {
      if (missingTable == MissingTable.FAIL) {
        throw DeltaTableException.lookupTableMissing(tablePath, notATable);
      }
      LOG.info("Lookup table {} does not exist yet: no rows match until it is created", tablePath);
      return;
    }
    load(latest);
  }

  @Override
  public Collection<RowData> lookup(RowData keyRow) {
    refreshIfDue();
    GenericRowData key = new GenericRowData(keys.length);
    for (int i = 0; i < keys.length; i++) {
      if (keyRow.isNullAt(i)) {
        return List.of(); // NULL equals nothing
      }
      key.setField(i, keyRowGetters[i].getFieldOrNull(keyRow));
    }
    return rowsByKey.getOrDefault(key, List.of());
  }

  /** The table version the function serves. */
  long version() {
    return version;
  }

  private void refreshIfDue() {
    long now = clock.getAsLong();
    if (now - checkedAt < refreshMillis) {
      return;
    }
    checkedAt = now;
    try {
      long latest = KernelSnapshotScan.snapshot(engine, tablePath, -1).getVersion();
      if (latest != version) { // a full refresh may make a new table with a lower version
        load(latest);
      }
    } catch (DeltaTableException notATable) {
      if (version < 0) {
        LOG.debug("Lookup table {} does not exist yet", tablePath);
      } else {
        LOG.warn(
            "Lookup table {} is gone; serving version {} and looking again in {} ms",
            tablePath,
            version,
            refreshMillis);
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "Lookup table {}: could not reload it ({}); serving version {} and trying again in {} ms",
          tablePath,
          e.getMessage(),
          version,
          refreshMillis,
          e);
    }
  }

  private void load(long tableVersion) {
    KernelSnapshotScan scan = new KernelSnapshotScan(engine, tablePath, tableVersion, rowType);
    Map<RowData, List<RowData>> loaded = new HashMap<>();
    long rows = 0;
    for (String file : scan.files()) {
      try (CloseableIterator<RowData> it = scan.read(file)) {
        while (it.hasNext()) {
          RowData row = it.next();
          GenericRowData key = keyOf(row);
          if (key != null) {
            loaded.computeIfAbsent(key, k -> new ArrayList<>(1)).add(row);
          }
          rows++;
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(
            "Lookup table " + tablePath + ": cannot read " + file, e);
      }
    }
    rowsByKey = loaded;
    version = scan.version();
    LOG.info(
        "Lookup table {}: loaded version {} ({} rows, {} keys)",
        tablePath,
        version,
        rows,
        loaded.size());
  }

  /** The row's key columns, or null if one is NULL (such a row matches no lookup). */
  private GenericRowData keyOf(RowData row) {
    GenericRowData key = new GenericRowData(keys.length);
    for (int i = 0; i < keys.length; i++) {
      Object value = keyGetters[i].getFieldOrNull(row);
      if (value == null) {
        return null;
      }
      key.setField(i, value);
    }
    return key;
  }

  @Override
  public void close() {
    rowsByKey = null;
  }
}
