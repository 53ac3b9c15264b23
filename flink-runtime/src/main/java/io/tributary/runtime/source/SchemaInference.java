package io.tributary.runtime.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.tributary.dsl.AutoLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Infers an Auto Loader source's columns from a sample of its files, for {@link AutoLoaderSchemas}:
 * the oldest files first, at most {@code schemaInference.sampleSize.numFiles} of them and
 * {@code .numBytes} of their lines. JSON columns in name order, CSV columns in header order
 * ({@code _c0, _c1, ...} without a header), Parquet columns from the footers ({@link ParquetSchemas});
 * every column STRING, or BIGINT/DOUBLE/BOOLEAN/STRING with {@code inferColumnTypes=true}. A new
 * column met when the schema evolves is typed the same way ({@link #evolvedType}).
 */
final class SchemaInference {

  private SchemaInference() {}

  /** The type a new column met in a record gets when the schema evolves: as inference would type it. */
  static LogicalType evolvedType(JsonNode value, boolean inferColumnTypes) {
    Inferred type = value.isTextual() ? Inferred.STRING : Inferred.of(value);
    return (inferColumnTypes ? type : Inferred.STRING).logicalType();
  }

  /** The inferred type of a column, widened as values are seen. */
  private enum Inferred {
    NONE,
    BOOLEAN,
    BIGINT,
    DOUBLE,
    STRING;

    Inferred merge(Inferred other) {
      if (this == other || other == NONE) {
        return this;
      }
      if (this == NONE) {
        return other;
      }
      if ((this == BIGINT && other == DOUBLE) || (this == DOUBLE && other == BIGINT)) {
        return DOUBLE;
      }
      return STRING;
    }

    LogicalType logicalType() {
      return switch (this) {
        case BOOLEAN -> new BooleanType();
        case BIGINT -> new BigIntType();
        case DOUBLE -> new DoubleType();
        case NONE, STRING -> VarCharType.STRING_TYPE;
      };
    }

    static Inferred of(JsonNode node) {
      if (node == null || node.isNull()) {
        return NONE;
      }
      if (node.isBoolean()) {
        return BOOLEAN;
      }
      if (node.isIntegralNumber()) {
        return node.canConvertToLong() ? BIGINT : DOUBLE;
      }
      return node.isNumber() ? DOUBLE : STRING;
    }

    static Inferred of(String text) {
      if (text == null || text.isEmpty()) {
        return NONE;
      }
      if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
        return BOOLEAN;
      }
      try {
        Long.parseLong(text.trim());
        return BIGINT;
      } catch (NumberFormatException notLong) {
        try {
          Double.parseDouble(text.trim());
          return Character.isLetter(text.trim().charAt(text.trim().length() - 1)) ? STRING : DOUBLE;
        } catch (NumberFormatException notDouble) {
          return STRING;
        }
      }
    }
  }

  /**
   * The columns of a sample of the source's files; a clear error when there is no file to sample or
   * the sample holds no field.
   */
  static RowType infer(AutoLoaderOptions options, String schemaLocation, Configuration hadoopConf)
      throws IOException {
    List<FileStatus> sample = sampleFiles(options, hadoopConf);
    if (sample.isEmpty()) {
      throw AutoLoaderErrors.nothingToInferFrom(options.path(), schemaLocation);
    }
    if (options.format() == AutoLoader.Format.PARQUET) {
      return ParquetSchemas.infer(options.path(), sample, hadoopConf);
    }
    Map<String, Inferred> columns =
        options.format() == AutoLoader.Format.JSON ? new TreeMap<>() : new LinkedHashMap<>();
    Map<String, String> lowerCaseNames = new java.util.HashMap<>();
    long budget = options.sampleBytes();
    int maxPositional = 0;
    ObjectReader csv =
        options.format() == AutoLoader.Format.CSV ? CsvLineParser.reader(options) : null;
    for (FileStatus file : sample) {
      if (budget <= 0) {
        break;
      }
      try (InputStream in = open(file.getPath(), hadoopConf)) {
        LineReader lines = new LineReader(in);
        String[] header = null;
        byte[] line;
        while (budget > 0 && (line = lines.next()) != null) {
          budget -= line.length + 1;
          if (LineParser.isBlank(line)) {
            continue;
          }
          if (csv == null) {
            JsonNode tree;
            try {
              tree = LineParser.JSON.readTree(line);
            } catch (JsonProcessingException malformed) {
              continue;
            }
            if (tree == null || !tree.isObject()) {
              continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
              Map.Entry<String, JsonNode> field = it.next();
              addColumn(
                  columns,
                  lowerCaseNames,
                  field.getKey(),
                  typeOf(options, Inferred.of(field.getValue())));
            }
          } else {
            String[] values;
            try {
              values = CsvLineParser.split(csv, line);
            } catch (JsonProcessingException malformed) {
              continue;
            }
            if (options.header() && header == null) {
              header = values;
              for (String name : header) {
                addColumn(columns, lowerCaseNames, name, Inferred.NONE);
              }
              continue;
            }
            for (int i = 0; i < values.length; i++) {
              Inferred type = typeOf(options, Inferred.of(values[i]));
              if (options.header()) {
                if (i < header.length && columns.containsKey(header[i])) {
                  columns.merge(header[i], type, Inferred::merge);
                }
              } else {
                columns.merge("_c" + i, type, Inferred::merge);
              }
            }
            maxPositional = Math.max(maxPositional, values.length);
          }
        }
      }
    }
    if (csv != null && !options.header()) {
      Map<String, Inferred> ordered = new LinkedHashMap<>();
      for (int i = 0; i < maxPositional; i++) {
        ordered.put("_c" + i, columns.getOrDefault("_c" + i, Inferred.NONE));
      }
      columns = ordered;
    }
    if (columns.isEmpty()) {
      throw AutoLoaderErrors.noFieldsInSample(options.path(), sample.size());
    }
    List<RowType.RowField> fields = new ArrayList<>();
    columns.forEach((name, type) -> fields.add(new RowType.RowField(name, type.logicalType())));
    return new RowType(fields);
  }

  private static Inferred typeOf(AutoLoaderOptions options, Inferred type) {
    return options.inferColumnTypes() || type == Inferred.NONE ? type : Inferred.STRING;
  }

  /** Adds a column unless one differing only in case exists (that field is then rescued when read). */
  private static void addColumn(
      Map<String, Inferred> columns,
      Map<String, String> lowerCaseNames,
      String name,
      Inferred type) {
    if (name.equals(RowLayout.RESCUED_DATA)) {
      return;
    }
    String known = lowerCaseNames.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
    if (known == null || known.equals(name)) {
      columns.merge(name, type, Inferred::merge);
    }
  }

  private static List<FileStatus> sampleFiles(AutoLoaderOptions options, Configuration hadoopConf)
      throws IOException {
    Path root = new Path(options.path());
    FileSystem fs = root.getFileSystem(hadoopConf);
    List<FileStatus> files = new ArrayList<>();
    if (!fs.exists(root)) {
      return files;
    }
    PathMatcher glob =
        options.pathGlobFilter().isEmpty()
            ? null
            : FileSystems.getDefault().getPathMatcher("glob:" + options.pathGlobFilter());
    List<FileStatus> dirs = new ArrayList<>(List.of(fs.getFileStatus(root)));
    while (!dirs.isEmpty()) {
      FileStatus dir = dirs.remove(dirs.size() - 1);
      FileStatus[] children =
          dir.isDirectory() ? fs.listStatus(dir.getPath()) : new FileStatus[] {dir};
      for (FileStatus child : children) {
        String name = child.getPath().getName();
        if (child != dir && FileDiscovery.isHidden(name)) {
          continue;
        }
        if (child.isDirectory()) {
          if (options.recursive()) {
            dirs.add(child);
          }
        } else if (child.getLen() > 0
            && (glob == null || glob.matches(java.nio.file.Path.of(name)))) {
          files.add(child);
        }
      }
    }
    files.sort(
        (a, b) ->
            a.getModificationTime() != b.getModificationTime()
                ? Long.compare(a.getModificationTime(), b.getModificationTime())
                : a.getPath().toString().compareTo(b.getPath().toString()));
    return files.size() > options.sampleFiles() ? files.subList(0, options.sampleFiles()) : files;
  }

  private static InputStream open(Path path, Configuration hadoopConf) throws IOException {
    FileSystem fs = path.getFileSystem(hadoopConf);
    InputStream in = fs.open(path);
    CompressionCodec codec = new CompressionCodecFactory(hadoopConf).getCodec(path);
    return codec == null ? in : codec.createInputStream(in);
  }
}
