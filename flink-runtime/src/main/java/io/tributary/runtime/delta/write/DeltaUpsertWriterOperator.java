package io.tributary.runtime.delta.write;

import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.DeltaTableException;
import io.tributary.runtime.delta.DeltaTypes;
import io.tributary.runtime.delta.KernelEngine;
import io.tributary.runtime.delta.KernelIterators;
import io.tributary.runtime.delta.KernelSnapshotScan;
import io.tributary.runtime.delta.KernelValues;
import io.tributary.runtime.delta.read.DeltaTableReader;
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
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.roaringbitmap.RoaringBitmap;

/**
 * The parallel half of the Delta sink for keyed tables ({@link DeltaWriteSpec.WriteMode#UPSERT}):
 * applies a changelog to the table, touching only the hash buckets its keys fall in.
 *
 * <p>The input is keyed by bucket ({@link BucketKeys}). During an epoch the writer keeps, per touched
 * bucket, the last change per key (INSERT and UPDATE_AFTER upsert the row, DELETE removes the key,
 * UPDATE_BEFORE is ignored: its key's UPDATE_AFTER or DELETE follows). Just before the checkpoint
 * barrier it applies them to each touched bucket and sends the committer a {@link DeltaBucketChange}
 * per bucket (logical files removed and added). A bucket not touched in an epoch is not read or
 * written, and a bucket whose changes leave it as it was (deletes of absent keys only) is not
 * changed either. Two ways to apply the changes:
 *
 * <ul>
 *   <li><b>Merge-on-read with deletion vectors</b> (tables with {@code delta.enableDeletionVectors=true},
 *       the default for new keyed tables): the writer reads only the key columns of the bucket's
 *       files, finds the row positions (row indexes in the Parquet file, Delta's rule) of the changed
 *       keys still live, writes the upserted rows into one new file, and marks the old positions in a
 *       new deletion vector per affected file (its old one united with the new positions; all the
 *       epoch's vectors in one {@code deletion_vector_<uuid>.bin}). The committer removes each
 *       affected file with its old vector and adds it again with the new one. An epoch then writes
 *       about the bytes of the rows it changes, not of the buckets they fall in. So that reads stay
 *       fast, the bucket compacts itself as part of an epoch: a file with more than half of its rows
 *       deleted has its live rows copied into the epoch's new file and is removed, and when the
 *       bucket would hold more than {@value #MAX_FILES_PER_BUCKET} files, every file but the largest
 *       is merged into the new one.</li>
 *   <li><b>Copy-on-write</b> (tables without deletion vectors, readable by readers that lack them,
 *       such as Delta Standalone): the writer reads the bucket's files whole, drops the rows whose
 *       keys changed (and those deleted by existing vectors), and writes the rest and the upserted
 *       rows into new files under {@code bucket=NNNNN/} that replace all of the bucket's files.</li>
 * </ul>
 *
 * <p><b>Which files are the bucket's base.</b> The committer commits an epoch only when its
 * checkpoint completes, asynchronously, so when the next epoch's barrier comes the table may not yet
 * show the previous epoch's files. The writer therefore does not ask the table: it keeps the list of
 * the bucket's current logical files (each file with its deletion vector) in keyed state (a few
 * descriptions per bucket, never rows) and reads those files directly, committed or not. That list
 * and the committer's pending epochs are snapshot by
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

  /** Files a bucket may hold after an epoch with deletion vectors before its small files are merged. */
  static final int MAX_FILES_PER_BUCKET = 8;

  private final DeltaWriteSpec spec;
  private final long targetFileBytes;
  private final boolean deletionVectors;

  /** The run writing this table, named in every file it writes. */
  private transient WriterAttempt attempt;

  private transient BucketKeys keys;
  private transient BucketKeys keyColumnKeys;
  private transient RowType keyRowType;
  private transient StructType keySchema;
  private transient RowDataSerializer serializer;
  private transient Configuration conf;
  private transient Path tableRoot;
  private transient Engine engine;
  private transient StructType schema;
  private transient ValueState<byte[]> bucketFiles;

  /** Bucket to key to the key's last change this epoch (a row, or {@code null} for a delete). */
  private transient TreeMap<Integer, Map<ByteBuffer, RowData>> changes;

  /** The table's files per bucket when first needed, for buckets this lineage has not yet changed. */
  private transient Map<Integer, List<DeltaDataFile>> tableBuckets;

  /**
   * @param deletionVectors whether the table uses deletion vectors (merge-on-read) rather than
   *     copy-on-write; decided by {@link DeltaSink#upsert} from the table and the spec
   */
  DeltaUpsertWriterOperator(DeltaWriteSpec spec, long targetFileBytes, boolean deletionVectors) {
    if (spec.mode() != DeltaWriteSpec.WriteMode.UPSERT) {
      throw new IllegalArgumentException("not an upsert spec: " + spec.mode());
    }
    this.spec = spec;
    this.targetFileBytes = targetFileBytes;
    this.deletionVectors = deletionVectors;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    bucketFiles =
        context
            .getKeyedStateStore()
            .getState(
                new ValueStateDescriptor<>(
                    "tributary-delta-bucket-files",
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
  }

  @Override
  public void open() throws Exception {
    super.open();
    keys = BucketKeys.of(spec);
    List<RowType.RowField> keyFields = new ArrayList<>();
    for (String column : spec.keyColumns()) {
      keyFields.add(spec.rowType().getFields().get(spec.rowType().getFieldNames().indexOf(column)));
    }
    keyRowType = new RowType(keyFields);
    keyColumnKeys = new BucketKeys(keyRowType, spec.keyColumns(), spec.buckets());
    serializer = new RowDataSerializer(spec.rowType());
    conf = spec.hadoopConf();
    tableRoot = DeltaPaths.qualified(spec.tablePath(), conf);
    engine = KernelEngine.create(conf);
    // what it reads back of its files: strings as their bytes (KernelValues.stringsAsBytes)
    schema = KernelValues.stringsAsBytes(DeltaTypes.toStructType(spec.rowType()));
    keySchema = KernelValues.stringsAsBytes(DeltaTypes.toStructType(keyRowType));
    changes = new TreeMap<>();
    attempt = WriterAttempt.of(spec.appId(), getRuntimeContext().getJobInfo().getJobId());
  }

  @Override
  public void processElement(StreamRecord<RowData> element) {
    RowData row = element.getValue();
    if (row.getRowKind() == RowKind.UPDATE_BEFORE) {
      return;
    }
    ByteBuffer key = keys.key(row);
    int bucket = keys.bucket(key);
    changes
        .computeIfAbsent(bucket, b -> new HashMap<>())
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
    List<DeltaBucketChange> out = new ArrayList<>();
    // every deletion vector of this flush goes into one file, written before any change is sent
    try (DeletionVectorStore.FileWriter dvs =
        new DeletionVectorStore.FileWriter(tableRoot, conf, attempt.newFileId())) {
      for (Map.Entry<Integer, Map<ByteBuffer, RowData>> bucket : changes.entrySet()) {
        setCurrentKey(bucket.getKey());
        List<DeltaDataFile> base = currentFiles(bucket.getKey());
        Optional<DeltaBucketChange> change =
            deletionVectors
                ? mergeOnRead(bucket.getKey(), base, bucket.getValue(), dvs)
                : rewrite(bucket.getKey(), base, bucket.getValue())
                    .map(added -> new DeltaBucketChange(bucket.getKey(), base, added));
        if (change.isPresent()) {
          bucketFiles.update(encode(after(base, change.get())));
          out.add(change.get());
        }
      }
    }
    for (DeltaBucketChange change : out) {
      output.collect(new StreamRecord<>(change.toBytes()));
    }
    changes.clear();
  }

  /** The bucket's logical files once {@code change} is applied to {@code base}. */
  static List<DeltaDataFile> after(List<DeltaDataFile> base, DeltaBucketChange change) {
    List<DeltaDataFile> files = new ArrayList<>(base);
    files.removeAll(change.removed());
    files.addAll(change.added());
    return files;
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

  /** A base file of a bucket with the positions its old DV deletes and those the epoch's keys hit. */
  private record Scanned(DeltaDataFile file, RoaringBitmap deleted, RoaringBitmap hit, long rows) {
    long liveAfter() {
      return rows - deleted.getLongCardinality() - hit.getLongCardinality();
    }
  }

  /**
   * Applies the bucket's changes with deletion vectors; empty if they leave it as it was. See the
   * class comment for when files are rewritten instead.
   */
  private Optional<DeltaBucketChange> mergeOnRead(
      int bucket,
      List<DeltaDataFile> base,
      Map<ByteBuffer, RowData> bucketChanges,
      DeletionVectorStore.FileWriter dvs)
      throws IOException {
    List<Scanned> scanned = new ArrayList<>();
    for (DeltaDataFile file : base) {
      scanned.add(scanKeys(file, bucketChanges));
    }
    boolean upserts = bucketChanges.values().stream().anyMatch(r -> r != null);
    if (!upserts && scanned.stream().allMatch(s -> s.hit().isEmpty())) {
      return Optional.empty();
    }
    List<Scanned> rewritten = new ArrayList<>();
    List<Scanned> kept = new ArrayList<>();
    for (Scanned s : scanned) {
      (2 * s.liveAfter() < s.rows() ? rewritten : kept).add(s);
    }
    if (kept.size() + 1 > MAX_FILES_PER_BUCKET) {
      // merge every file but the largest into the epoch's new file
      Scanned largest =
          kept.stream().max(java.util.Comparator.comparingLong(s -> s.file().size())).get();
      kept.remove(largest);
      rewritten.addAll(kept);
      kept = new ArrayList<>(List.of(largest));
    }
    List<DeltaDataFile> removed = new ArrayList<>();
    List<DeltaDataFile> added = new ArrayList<>();
    try (DeltaFileWriter writer = newWriter(bucket)) {
      for (Scanned s : rewritten) {
        RoaringBitmap gone = RoaringBitmap.or(s.deleted(), s.hit());
        copyRows(s.file(), gone, null, writer);
        removed.add(s.file());
      }
      for (RowData row : bucketChanges.values()) {
        if (row != null) {
          writer.write(row);
        }
      }
      added.addAll(writer.closeAll());
    }
    for (Scanned s : kept) {
      if (!s.hit().isEmpty()) {
        DeltaDeletionVector dv = dvs.add(RoaringBitmap.or(s.deleted(), s.hit()));
        removed.add(s.file());
        added.add(
            new DeltaDataFile(
                s.file().path(),
                s.file().size(),
                s.file().modificationTime(),
                s.rows(),
                s.file().partitionValues(),
                s.file().statsJson(),
                dv));
      }
    }
    return Optional.of(new DeltaBucketChange(bucket, removed, added));
  }

  /** Reads the key columns of {@code file}: its rows, its deleted positions and the live ones hit. */
  private Scanned scanKeys(DeltaDataFile file, Map<ByteBuffer, RowData> bucketChanges)
      throws IOException {
    RoaringBitmap deleted = DeletionVectorStore.read(file.deletionVector(), tableRoot, conf);
    RoaringBitmap hit = new RoaringBitmap();
    long position = 0;
    FileStatus status = FileStatus.of(file.path(), file.size(), file.modificationTime());
    try (CloseableIterator<FileReadResult> batches =
        engine
            .getParquetHandler()
            .readParquetFiles(
                KernelIterators.of(List.of(status).iterator()), keySchema, Optional.empty())) {
      while (batches.hasNext()) {
        ColumnarBatch batch = batches.next().getData();
        KernelValues.Projection keyColumns =
            KernelValues.Projection.of(batch.getSchema(), keyRowType);
        for (int i = 0; i < batch.getSize(); i++, position++) {
          if (deleted.contains((int) position)) {
            continue;
          }
          RowData row = keyColumns.row(batch::getColumnVector, i);
          if (bucketChanges.containsKey(keyColumnKeys.key(row))) {
            hit.add((int) position);
          }
        }
      }
    }
    return new Scanned(file, deleted, hit, position);
  }

  private DeltaFileWriter newWriter(int bucket) {
    String dir = new Path(tableRoot, BucketKeys.directory(bucket)).toString();
    return new DeltaFileWriter(
        dir,
        spec.rowType(),
        List.of(),
        targetFileBytes,
        conf,
        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
        attempt.newFileId());
  }

  /**
   * Rewrites the bucket copy-on-write; empty if the changes leave it as it was, in which case the
   * files just written are deleted and the bucket keeps its files.
   */
  private Optional<List<DeltaDataFile>> rewrite(
      int bucket, List<DeltaDataFile> base, Map<ByteBuffer, RowData> bucketChanges)
      throws IOException {
    boolean changed = bucketChanges.values().stream().anyMatch(r -> r != null);
    List<DeltaDataFile> written;
    try (DeltaFileWriter writer = newWriter(bucket)) {
      for (DeltaDataFile file : base) {
        changed |=
            copyRows(
                file,
                DeletionVectorStore.read(file.deletionVector(), tableRoot, conf),
                bucketChanges,
                writer);
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

  /**
   * Copies the rows of {@code file} not at a {@code deleted} position and, if {@code bucketChanges}
   * is given, whose keys did not change; true if a live row was dropped for its key.
   */
  private boolean copyRows(
      DeltaDataFile file,
      RoaringBitmap deleted,
      Map<ByteBuffer, RowData> bucketChanges,
      DeltaFileWriter writer)
      throws IOException {
    boolean dropped = false;
    long position = 0;
    FileStatus status = FileStatus.of(file.path(), file.size(), file.modificationTime());
    try (CloseableIterator<FileReadResult> batches =
        engine
            .getParquetHandler()
            .readParquetFiles(
                KernelIterators.of(List.of(status).iterator()), schema, Optional.empty())) {
      while (batches.hasNext()) {
        ColumnarBatch batch = batches.next().getData();
        KernelValues.Projection columns =
            KernelValues.Projection.of(batch.getSchema(), spec.rowType());
        for (int i = 0; i < batch.getSize(); i++, position++) {
          if (deleted.contains((int) position)) {
            continue;
          }
          RowData row = columns.row(batch::getColumnVector, i);
          if (bucketChanges != null && bucketChanges.containsKey(keys.key(row))) {
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
    if (DeltaTableReader.schema(spec.tablePath(), conf).isEmpty()) {
      return result;
    }
    KernelSnapshotScan scan = new KernelSnapshotScan(engine, spec.tablePath(), -1, spec.rowType());
    for (DeltaDataFile file : scan.dataFiles()) {
      int bucket = BucketKeys.bucketOf(file.path());
      if (bucket < 0) {
        throw DeltaTableException.notBucketed(spec.tablePath(), file.path());
      }
      result.computeIfAbsent(bucket, b -> new ArrayList<>()).add(file);
    }
    return result;
  }

  /**
   * Marks the bucket state's format with deletion vectors: the state written before them began with
   * the file count, never negative.
   */
  private static final int STATE_WITH_DELETION_VECTORS = -2;

  static byte[] encode(List<DeltaDataFile> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(STATE_WITH_DELETION_VECTORS);
      DeltaBucketChange.writeFiles(out, files);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static List<DeltaDataFile> decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      in.mark(4);
      boolean dvs = in.readInt() == STATE_WITH_DELETION_VECTORS;
      if (!dvs) {
        in.reset();
      }
      return DeltaBucketChange.readFiles(in, dvs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
