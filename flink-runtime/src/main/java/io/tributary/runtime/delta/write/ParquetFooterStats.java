package io.tributary.runtime.delta.write;

import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.api.Binary;

/**
 * Turns the statistics Parquet already keeps in a file's footer into Delta file statistics, so every
 * {@code add} action carries numRecords, minValues, maxValues and nullCount without a second pass
 * over the data. Leaves under structs get statistics; leaves inside arrays and maps do not (as in
 * Delta). Booleans and binaries get null counts only; strings longer than {@value #MAX_STRING}
 * characters get a truncated minimum and no maximum, as Delta's own writers do.
 */
final class ParquetFooterStats {

  static final int MAX_STRING = 32;

  private ParquetFooterStats() {}

  static DataFileStatistics of(ParquetMetadata footer, StructType physicalSchema) {
    long numRecords = 0;
    Map<ColumnPath, Statistics<?>> merged = new HashMap<>();
    for (BlockMetaData block : footer.getBlocks()) {
      numRecords += block.getRowCount();
      for (ColumnChunkMetaData chunk : block.getColumns()) {
        Statistics<?> stats = chunk.getStatistics();
        Statistics<?> sum = merged.get(chunk.getPath());
        if (sum == null) {
          sum = Statistics.createStats(chunk.getPrimitiveType());
          merged.put(chunk.getPath(), sum);
        }
        sum.mergeStatistics(stats);
      }
    }
    Map<Column, Literal> min = new HashMap<>();
    Map<Column, Literal> max = new HashMap<>();
    Map<Column, Long> nulls = new HashMap<>();
    collect(physicalSchema, new ArrayList<>(), merged, numRecords, min, max, nulls);
    return new DataFileStatistics(numRecords, min, max, nulls, Optional.empty());
  }

  private static void collect(
      StructType struct,
      List<String> prefix,
      Map<ColumnPath, Statistics<?>> merged,
      long numRecords,
      Map<Column, Literal> min,
      Map<Column, Literal> max,
      Map<Column, Long> nulls) {
    for (StructField field : struct.fields()) {
      List<String> path = new ArrayList<>(prefix);
      path.add(field.getName());
      DataType type = field.getDataType();
      if (type instanceof StructType nested) {
        collect(nested, path, merged, numRecords, min, max, nulls);
        continue;
      }
      Statistics<?> stats = merged.get(ColumnPath.get(path.toArray(new String[0])));
      if (stats == null) {
        // arrays and maps: Parquet keeps their leaves under other paths; Delta keeps no stats for
        // them
        continue;
      }
      Column column = new Column(path.toArray(new String[0]));
      if (numRecords == 0 || stats.isNumNullsSet()) {
        nulls.put(column, numRecords == 0 ? 0L : stats.getNumNulls());
      }
      if (stats.hasNonNullValue()) {
        literal(type, stats.genericGetMin(), true).ifPresent(l -> min.put(column, l));
        literal(type, stats.genericGetMax(), false).ifPresent(l -> max.put(column, l));
      }
    }
  }

  private static Optional<Literal> literal(DataType type, Object value, boolean isMin) {
    if (type instanceof ByteType) {
      return Optional.of(Literal.ofByte(((Integer) value).byteValue()));
    } else if (type instanceof ShortType) {
      return Optional.of(Literal.ofShort(((Integer) value).shortValue()));
    } else if (type instanceof IntegerType) {
      return Optional.of(Literal.ofInt((Integer) value));
    } else if (type instanceof DateType) {
      return Optional.of(Literal.ofDate((Integer) value));
    } else if (type instanceof LongType) {
      return Optional.of(Literal.ofLong((Long) value));
    } else if (type instanceof TimestampType) {
      return Optional.of(Literal.ofTimestamp((Long) value));
    } else if (type instanceof FloatType) {
      float f = (Float) value;
      return Float.isNaN(f) ? Optional.empty() : Optional.of(Literal.ofFloat(f));
    } else if (type instanceof DoubleType) {
      double d = (Double) value;
      return Double.isNaN(d) ? Optional.empty() : Optional.of(Literal.ofDouble(d));
    } else if (type instanceof DecimalType decimal) {
      BigInteger unscaled =
          value instanceof Integer i
              ? BigInteger.valueOf(i)
              : value instanceof Long l
                  ? BigInteger.valueOf(l)
                  : new BigInteger(((Binary) value).getBytes());
      return Optional.of(
          Literal.ofDecimal(
              new BigDecimal(unscaled, decimal.getScale()),
              decimal.getPrecision(),
              decimal.getScale()));
    } else if (type instanceof StringType) {
      String s = ((Binary) value).toStringUsingUTF8();
      if (s.codePointCount(0, s.length()) <= MAX_STRING) {
        return Optional.of(Literal.ofString(s));
      }
      return isMin
          ? Optional.of(Literal.ofString(s.substring(0, s.offsetByCodePoints(0, MAX_STRING))))
          : Optional.empty();
    }
    return Optional.empty();
  }
}
