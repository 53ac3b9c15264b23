package io.tributary.runtime.delta.write;

import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.parquet.column.EncodingStats;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * The columns a writer's later files encode plainly from their first value: those whose dictionary
 * an earlier file of the same writer gave up on at its first page, as Parquet does when a
 * dictionary does not make the page smaller (ids, free text, instants). Parquet tries a dictionary
 * again in every column chunk, hashing each value of the first page and then writing the page again
 * plainly; for a column that is as distinct in one file as in the last, that is work for nothing.
 * A column chunk with too few values says nothing about the column and is not learned from.
 */
final class PlainEncodedColumns {

  /** The fewest non-null values in a column chunk whose fallback is taken as the column's nature. */
  static final long MIN_VALUES = 1_000;

  private final Set<String> columns = new LinkedHashSet<>();

  /** Learns from a finished file's footer. */
  void learn(ParquetMetadata footer) {
    for (BlockMetaData block : footer.getBlocks()) {
      for (ColumnChunkMetaData chunk : block.getColumns()) {
        if (gaveUpItsDictionary(chunk)) {
          columns.add(chunk.getPath().toDotString());
        }
      }
    }
  }

  /** Turns the dictionary off for every learned column of a file about to be written. */
  <B extends ParquetWriter.Builder<?, B>> B applyTo(B builder) {
    for (String column : columns) {
      builder = builder.withDictionaryEncoding(column, false);
    }
    return builder;
  }

  /** The learned columns, as Parquet's dotted column paths. */
  Set<String> columns() {
    return Set.copyOf(columns);
  }

  private static boolean gaveUpItsDictionary(ColumnChunkMetaData chunk) {
    EncodingStats encodings = chunk.getEncodingStats();
    if (encodings == null
        || encodings.hasDictionaryPages()
        || !encodings.hasNonDictionaryEncodedPages()) {
      return false;
    }
    Statistics<?> stats = chunk.getStatistics();
    long nulls = stats == null || !stats.isNumNullsSet() ? 0 : stats.getNumNulls();
    return chunk.getValueCount() - nulls >= MIN_VALUES;
  }
}
