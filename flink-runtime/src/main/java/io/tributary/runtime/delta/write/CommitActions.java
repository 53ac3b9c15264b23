package io.tributary.runtime.delta.write;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaDeletionVector;
import io.tributary.runtime.delta.DeltaPaths;
import io.tributary.runtime.delta.KernelInternals;
import io.tributary.runtime.delta.KernelIterators;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kernel actions of a {@link DeltaTableCommitter}'s commits, made from Tributary's file records:
 * the {@code add}s of new data files (grouped by partition, with statistics), the {@code add} of a
 * file with a deletion vector, and the table's live files as scan rows (what a {@code remove} is made
 * of). The committer decides what to commit and handles races; this only builds rows.
 */
final class CommitActions {

  private final Engine engine;
  private final DeltaWriteSpec spec;
  private final StructType schema;

  CommitActions(Engine engine, DeltaWriteSpec spec, StructType schema) {
    this.engine = engine;
    this.spec = spec;
    this.schema = schema;
  }

  /** The snapshot's data files by absolute path, as scan file rows (what a remove action is made of). */
  Map<String, Row> liveFiles(Snapshot snapshot) {
    Map<String, Row> live = new HashMap<>();
    for (FilteredColumnarBatch batch :
        KernelIterators.drain(snapshot.getScanBuilder().build().getScanFiles(engine))) {
      try (CloseableIterator<Row> rows = batch.getRows()) {
        rows.forEachRemaining(row -> live.put(KernelInternals.dataFile(row).getPath(), row));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return live;
  }

  List<Row> appendActions(Transaction txn, List<DeltaDataFile> files) {
    Row txnState = txn.getTransactionState(engine);
    List<Row> actions = new ArrayList<>();
    Map<Map<String, String>, List<DataFileStatus>> byPartition = new LinkedHashMap<>();
    for (DeltaDataFile file : files) {
      byPartition
          .computeIfAbsent(file.partitionValues(), k -> new ArrayList<>())
          .add(
              new DataFileStatus(
                  file.path(),
                  file.size(),
                  file.modificationTime(),
                  DataFileStatistics.deserializeFromJson(file.statsJson(), physicalSchema())));
    }
    for (Map.Entry<Map<String, String>, List<DataFileStatus>> group : byPartition.entrySet()) {
      DataWriteContext context =
          Transaction.getWriteContext(engine, txnState, partitionLiterals(group.getKey()));
      actions.addAll(
          KernelIterators.drain(
              Transaction.generateAppendActions(
                  engine, txnState, KernelIterators.of(group.getValue().iterator()), context)));
    }
    return actions;
  }

  /**
   * The {@code add} of a data file with a deletion vector, with its statistics over all of its
   * physical rows (Delta requires an exact {@code numRecords} there); a file listed from the table
   * without statistics keeps only its row count.
   */
  Row addWithDeletionVector(DeltaDataFile file) {
    DataFileStatistics stats =
        DataFileStatistics.deserializeFromJson(file.statsJson(), physicalSchema())
            .filter(s -> s.getNumRecords() == file.numRecords())
            .orElse(
                new DataFileStatistics(
                    file.numRecords(), Map.of(), Map.of(), Map.of(), Optional.empty()));
    java.net.URI root = DeltaPaths.qualified(spec.tablePath(), spec.hadoopConf()).toUri();
    return KernelInternals.addWithDeletionVector(
        root,
        physicalSchema(),
        file.path(),
        file.size(),
        file.modificationTime(),
        stats,
        file.deletionVector());
  }

  static String dvId(Row scanFile) {
    return DeltaDeletionVector.idOf(KernelInternals.deletionVector(scanFile));
  }

  private StructType physicalSchema() {
    List<StructField> fields = new ArrayList<>();
    for (StructField field : schema.fields()) {
      if (!spec.partitionColumns().contains(field.getName())) {
        fields.add(field);
      }
    }
    return new StructType(fields);
  }

  private Map<String, Literal> partitionLiterals(Map<String, String> values) {
    Map<String, Literal> literals = new HashMap<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      DataType type = schema.get(e.getKey()).getDataType();
      String v = e.getValue();
      literals.put(
          e.getKey(),
          v == null
              ? Literal.ofNull(type)
              : type instanceof StringType
                  ? Literal.ofString(v)
                  : type instanceof BooleanType
                      ? Literal.ofBoolean(Boolean.parseBoolean(v))
                      : type instanceof ByteType
                          ? Literal.ofByte(Byte.parseByte(v))
                          : type instanceof ShortType
                              ? Literal.ofShort(Short.parseShort(v))
                              : type instanceof IntegerType
                                  ? Literal.ofInt(Integer.parseInt(v))
                                  : type instanceof LongType
                                      ? Literal.ofLong(Long.parseLong(v))
                                      : type instanceof DateType
                                          ? Literal.ofDate((int) LocalDate.parse(v).toEpochDay())
                                          : unsupportedPartition(e.getKey(), type));
    }
    return literals;
  }

  private static Literal unsupportedPartition(String column, DataType type) {
    throw new IllegalStateException(
        "partition column " + column + " of type " + type + " not validated");
  }
}
