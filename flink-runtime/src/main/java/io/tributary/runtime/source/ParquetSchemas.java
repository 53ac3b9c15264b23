package io.tributary.runtime.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DateType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.FloatType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.SmallIntType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.TinyIntType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Infers an Auto Loader row type from Parquet footers: the columns of the sampled files, merged by name
 * in the order first seen, each with the Flink type of its Parquet type. Columns the reader cannot
 * produce (nested groups, repeated fields, unsigned or interval types) are left out and listed in
 * the error if nothing is left; a column whose type differs between files keeps its first type, and the
 * file with the other type fails when read, naming the file.
 */
final class ParquetSchemas {

  private ParquetSchemas() {}

  static RowType infer(String sourcePath, List<FileStatus> sample, Configuration hadoopConf)
      throws IOException {
    Map<String, LogicalType> columns = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (FileStatus file : sample) {
      MessageType schema;
      try (ParquetFileReader reader =
          ParquetFileReader.open(HadoopInputFile.fromStatus(file, hadoopConf))) {
        schema = reader.getFooter().getFileMetaData().getSchema();
      } catch (RuntimeException | IOException e) {
        throw AutoLoaderErrors.unreadableParquetFooter(sourcePath, file.getPath().toString(), e);
      }
      for (Type field : schema.getFields()) {
        if (field.getName().equals(RowLayout.RESCUED_DATA)
            || columns.containsKey(field.getName())) {
          continue;
        }
        LogicalType type = flinkType(field);
        if (type == null) {
          skipped.add(field.getName() + " " + field);
        } else {
          columns.put(field.getName(), type);
        }
      }
    }
    if (columns.isEmpty()) {
      throw AutoLoaderErrors.noSupportedParquetColumns(sourcePath, sample.size(), skipped);
    }
    List<RowType.RowField> fields = new ArrayList<>();
    columns.forEach((name, type) -> fields.add(new RowType.RowField(name, type)));
    return new RowType(fields);
  }

  /** The Flink type of a top-level Parquet column, or {@code null} when the reader cannot produce it. */
  static LogicalType flinkType(Type field) {
    if (!field.isPrimitive() || field.isRepetition(Type.Repetition.REPEATED)) {
      return null;
    }
    PrimitiveType primitive = field.asPrimitiveType();
    LogicalTypeAnnotation annotation = primitive.getLogicalTypeAnnotation();
    if (annotation instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal) {
      return new DecimalType(decimal.getPrecision(), decimal.getScale());
    }
    switch (primitive.getPrimitiveTypeName()) {
      case BOOLEAN:
        return new BooleanType();
      case INT32:
        if (annotation instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
          return new DateType();
        }
        if (annotation instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation ints) {
          if (!ints.isSigned()) {
            return null;
          }
          return ints.getBitWidth() == 8
              ? new TinyIntType()
              : ints.getBitWidth() == 16 ? new SmallIntType() : new IntType();
        }
        return annotation == null ? new IntType() : null;
      case INT64:
        if (annotation instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation timestamp) {
          return new TimestampType(
              timestamp.getUnit() == LogicalTypeAnnotation.TimeUnit.MILLIS ? 3 : 6);
        }
        if (annotation instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation ints) {
          return ints.isSigned() ? new BigIntType() : null;
        }
        return annotation == null ? new BigIntType() : null;
      case INT96:
        // The legacy timestamp of Spark and Flink's own Parquet writer: nanoseconds; Spark reads it
        // as microseconds.
        return new TimestampType(6);
      case FLOAT:
        return new FloatType();
      case DOUBLE:
        return new DoubleType();
      case BINARY:
        return annotation instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                || annotation instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                || annotation instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
            ? VarCharType.STRING_TYPE
            : null;
      default:
        return null;
    }
  }
}
