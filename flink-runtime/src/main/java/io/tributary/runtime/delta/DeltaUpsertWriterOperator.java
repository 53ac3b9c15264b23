package io.tributary.runtime.delta;

import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.types.RowKind;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The parallel half of the Delta sink for keyed tables ({@link DeltaWriteSpec.WriteMode#UPSERT}):
 * applies a changelog to the table by rewriting, copy-on-write, only the hash buckets it touches.
 *
 * <p>The input is keyed by bucket ({@link BucketKeys}). During an epoch the writer keeps, per touched
 * bucket, the last change per key (INSERT and UPDATE_AFTER upsert the row, DELETE removes the key,
 * UPDATE_BEFORE is ignored: its key's UPDATE_AFTER or DELETE follows). Just before the checkpoint
 * barrier it rewrites each touched bucket: it reads the bucket's current files, drops the rows whose
 * keys changed, writes the rest and the upserted rows into new files under {@code bucket=NNNNN/}, and
 * sends the committer a {@link DeltaBucketChange} (those files removed, the new ones added). A bucket
 * not touched in an epoch is not read or written, so an epoch costs what its keys' buckets hold, not
 * what the table holds. A bucket whose changes leave it as it was (deletes of absent keys only) is
 * not rewritten either.
 *
 * <p><b>Which files are the bucket's base.</b> The committer commits an epoch only when its
 * checkpoint completes, asynchronously, so when the next epoch's barrier comes the table may not yet
 * show the previous epoch's files. The writer therefore does not ask the table: it keeps the list of
 * the bucket's current files in keyed state (a few descriptions per bucket, never rows) and reads
 * those files directly, committed or not. That list and the committer's pending epochs are snapshot by
 * the same checkpoint, and a restored committer commits its pending epochs before any new checkpoint
 * can be taken, so after any failure the list names exactly the files the table has (or will have,
 * once the restored epochs are committed) for that bucket, and files written after the restored
 * checkpoint are never referenced. A bucket with no state yet was not changed by this lineage of
 * epochs; its files are taken from the table's latest snapshot, listed once per writer when first
 * needed. The changes of an epoch are held on the heap, not in Flink state: they are all written
 * before the barrier, so a checkpoint never contains them (an epoch's distinct changed keys must fit
 * in memory).
 *
 * <p>Needs STREAMING execution (the bucket state is read at arbitrary keys before barriers and at end
 * of input, which BATCH's sorted keyed state does not allow); {@link DeltaSink#upsert} checks it.
 */
final class DeltaUpsertWriterOperator extends AbstractStreamOperator<byte[]>
    implements OneInputStreamOperator<RowData, byte[]>, BoundedOneInput {

  private static final long serialVersionUID = 1L;

  private final DeltaWriteSpec spec;
  private final long targetFileBytes;

  private transient BucketKeys keys;
  private transient RowDataSerializer serializer;
  private transient Configuration conf;
  private transient Engine engine;
  private transient StructType schema;
  private transient ValueState<byte[]> bucketFiles;
  /** Bucket to key to the key's last change this epoch (a row, or {@code null} for a delete). */
  private transient TreeMap<Integer, Map<ByteBuffer, RowData>> changes;
  /** The table's files per bucket when first needed, for buckets this lineage has not yet changed. */
  private transient Map<Integer, List<DeltaDataFile>> tableBuckets;

  DeltaUpsertWriterOperator(DeltaWriteSpec spec, long targetFileBytes) {
    if (spec.mode() != DeltaWriteSpec.WriteMode.UPSERT) {
      throw new IllegalArgumentException("not an upsert spec: " + spec.mode());
    }
    this.spec = spec;
    this.targetFileBytes = targetFileBytes;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    bucketFiles = context.getKeyedStateStore().getState(new ValueStateDescriptor<>(
        "tributary-delta-bucket-files", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
  }

  @Override
  public void open() throws Exception {
    super.open();
    keys = BucketKeys.of(spec);
    serializer = new RowDataSerializer(spec.rowType());
    conf = new Configuration();
    engine = DefaultEngine.create(conf);
    schema = DeltaTypes.toStructType(spec.rowType());
    changes = new TreeMap<>();
  }

  @Override
  public void processElement(StreamRecord<RowData> element) {
    RowData row = element.getValue();
    if (row.getRowKind() == RowKind.UPDATE_BEFORE) {
      return;
    }
    ByteBuffer key = keys.key(row);
    int bucket = keys.bucket(key);
    changes.computeIfAbsent(bucket, b -> new HashMap<>())
        .put(key, row.getRowKind() == RowKind.DELETE ? null : serializer.copy(row));
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    flush();
  }

  @Override
  public void endInput() throws Exception {
    flush();
  }

  private void flush() throws IOException {
    for (Map.Entry<Integer, Map<ByteBuffer, RowData>> bucket : changes.entrySet()) {
      setCurrentKey(bucket.getKey());
      List<DeltaDataFile> base = currentFiles(bucket.getKey());
      Optional<List<DeltaDataFile>> rewritten = rewrite(bucket.getKey(), base, bucket.getValue());
      if (rewritten.isPresent()) {
        bucketFiles.update(encode(rewritten.get()));
        output.collect(new StreamRecord<>(
            new DeltaBucketChange(bucket.getKey(), base, rewritten.get()).toBytes()));
      }
    }
    changes.clear();
  }

  private List<DeltaDataFile> currentFiles(int bucket) throws IOException {
    byte[] stored = bucketFiles.value();
    if (stored != null) {
      return decode(stored);
    }
    if (tableBuckets == null) {
      tableBuckets = listTableBuckets();
    }
    return tableBuckets.getOrDefault(bucket, List.of());
  }

  /**
   * Writes the bucket's new content; empty if the changes leave it as it was, in which case the
   * files just written are deleted and the bucket keeps its files.
   */
  private Optional<List<DeltaDataFile>> rewrite(int bucket, List<DeltaDataFile> base,
                                               Map<ByteBuffer, RowData> bucketChanges) throws IOException {
    String dir = new Path(DeltaFileWriter.qualified(spec.tablePath(), conf), BucketKeys.directory(bucket))
        .toString();
    boolean changed = bucketChanges.values().stream().anyMatch(r -> r != null);
    List<DeltaDataFile> written;
    try (DeltaFileWriter writer = new DeltaFileWriter(dir, spec.rowType(), List.of(), targetFileBytes,
        conf, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask())) {
      for (DeltaDataFile file : base) {
        changed |= copyUnchanged(file, bucketChanges, writer);
      }
      for (RowData row : bucketChanges.values()) {
        if (row != null) {
          writer.write(row);
        }
      }
      written = writer.closeAll();
    }
    if (!changed) {
      for (DeltaDataFile file : written) {
        Path path = new Path(file.path());
        path.getFileSystem(conf).delete(path, false);
      }
      return Optional.empty();
    }
    return Optional.of(written);
  }

  /** Copies the rows of {@code file} whose keys did not change; true if any row was dropped. */
  private boolean copyUnchanged(DeltaDataFile file, Map<ByteBuffer, RowData> bucketChanges,
                                DeltaFileWriter writer) throws IOException {
    boolean dropped = false;
    FileStatus status = FileStatus.of(file.path(), file.size(), file.modificationTime());
    try (CloseableIterator<FileReadResult> batches = engine.getParquetHandler().readParquetFiles(
        KernelIterators.of(List.of(status).iterator()), schema, Optional.empty())) {
      while (batches.hasNext()) {
        ColumnarBatch batch = batches.next().getData();
        for (int i = 0; i < batch.getSize(); i++) {
          RowData row = KernelValues.row(batch.getSchema(), batch::getColumnVector, i, spec.rowType());
          if (bucketChanges.containsKey(keys.key(row))) {
            dropped = true;
          } else {
            writer.write(row);
          }
        }
      }
    }
    return dropped;
  }

  private Map<Integer, List<DeltaDataFile>> listTableBuckets() {
    Map<Integer, List<DeltaDataFile>> result = new HashMap<>();
    if (DeltaTableReader.schema(spec.tablePath()).isEmpty()) {
      return result;
    }
    KernelSnapshotScan scan = new KernelSnapshotScan(engine, spec.tablePath(), -1, spec.rowType());
    for (FileStatus file : scan.fileStatuses()) {
      int bucket = BucketKeys.bucketOf(file.getPath());
      if (bucket < 0) {
        throw DeltaTableException.notBucketed(spec.tablePath(), file.getPath());
      }
      // statistics are not needed to remove a file: the committer removes it by its path
      result.computeIfAbsent(bucket, b -> new ArrayList<>()).add(new DeltaDataFile(file.getPath(),
          file.getSize(), file.getModificationTime(), -1, Map.of(), "{}"));
    }
    return result;
  }

  static byte[] encode(List<DeltaDataFile> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      DeltaBucketChange.writeFiles(out, files);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static List<DeltaDataFile> decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return DeltaBucketChange.readFiles(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
