package io.tributary.runtime.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.dsl.AutoLoader;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Decides the row type an Auto Loader source produces, before the job is built.
 *
 * <ul>
 *   <li>A declared schema (a Flink SQL column list) is parsed with Flink's own type parser; column
 *       names need no back-quotes (so {@code timestamp TIMESTAMP(3)} works).
 *   <li>Otherwise the schema is inferred from a sample of the files (bounded by
 *       {@code schemaInference.sampleSize.numFiles} and {@code .numBytes}), every column STRING as Auto
 *       Loader does, or BIGINT/DOUBLE/BOOLEAN/STRING with {@code inferColumnTypes=true}; JSON columns in
 *       name order, CSV columns in header order ({@code _c0, _c1, ...} without a header), Parquet
 *       columns with their own types from the footers ({@link ParquetSchemas}). The inferred
 *       schema is stored in {@value #SCHEMA_FILE} under the schema location and reused unchanged by
 *       later updates: columns that appear later land in {@code _rescued_data}.
 * </ul>
 *
 * <p>Columns are nullable whatever the declaration says, as Spark does for file sources: a file can
 * always lack a field, and NOT NULL is for an expectation to enforce. As in Auto Loader, an inferred
 * schema ends with the rescued data column ({@code _rescued_data STRING}, or the name the
 * {@code rescuedDataColumn} option gives); a declared schema has one only when that option names it. A text
 * source has the fixed type {@code ROW<value STRING>}. With {@code includeMetadata=true} the
 * {@link MetadataColumns} follow.
 *
 * <pre>{@code
 * RowType type = AutoLoaderSchemas.resolve(AutoLoader.json("/data/events"), storage + "/_tributary/schemas/bronze_events", new Configuration());
 * }</pre>
 */
public final class AutoLoaderSchemas {

  /** The file, under the schema location, that holds an inferred schema. */
  public static final String SCHEMA_FILE = "schema.json";

  private AutoLoaderSchemas() {}

  /**
   * The full produced row type of {@code spec}, {@code _rescued_data} included.
   *
   * @param spec the source as the DSL describes it
   * @param schemaLocation directory (Hadoop URI or local path) where an inferred schema is stored; unused
   *     for a declared schema
   * @param hadoopConf configuration of the file systems of the input and the schema location
   * @throws AutoLoaderException when the declared schema is invalid or nothing can be inferred
   */
  public static RowType resolve(AutoLoader spec, String schemaLocation, Configuration hadoopConf) {
    return resolve(spec, schemaLocation, hadoopConf, true);
  }

  /**
   * As {@link #resolve(AutoLoader, String, Configuration)}; with {@code storeInferred} false an
   * inferred schema is returned without being stored, so validation writes nothing.
   */
  public static RowType resolve(AutoLoader spec, String schemaLocation, Configuration hadoopConf,
      boolean storeInferred) {
    return resolve(spec, schemaLocation, hadoopConf, storeInferred, false);
  }

  /**
   * As {@link #resolve(AutoLoader, String, Configuration, boolean)}; with {@code legacyRescuedColumn} a
   * declared schema without the {@code rescuedDataColumn} option still ends with
   * {@value RowLayout#RESCUED_DATA}. That was the default before a declared schema followed Auto Loader
   * (no rescued data column unless named): the caller sets it when the table the source feeds already
   * has that column, so the table's schema and the state saved with it stay as they were.
   */
  public static RowType resolve(AutoLoader spec, String schemaLocation, Configuration hadoopConf,
      boolean storeInferred, boolean legacyRescuedColumn) {
    RowType type = resolveFileColumns(spec, schemaLocation, hadoopConf, storeInferred, legacyRescuedColumn);
    return AutoLoaderOptions.includeMetadata(spec) ? MetadataColumns.append(type) : type;
  }

  private static RowType resolveFileColumns(AutoLoader spec, String schemaLocation, Configuration hadoopConf,
      boolean storeInferred, boolean legacyRescuedColumn) {
    AutoLoaderOptions options = AutoLoaderOptions.of(spec);
    switch (options.format()) {
      case TEXT:
        if (spec.schemaDdl().isPresent()) {
          throw AutoLoaderErrors.badSchemaDdl(spec.path(), spec.schemaDdl().get(),
              "a text source always has the one column value STRING");
        }
        return RowType.of(new LogicalType[] {VarCharType.STRING_TYPE}, new String[] {"value"});
      default:
        break;
    }
    if (spec.schemaDdl().isPresent()) {
      if (!options.schemaHints().isEmpty()) {
        throw AutoLoaderErrors.badOption(spec.path(), "schemaHints", options.schemaHints(),
            "left out with a declared schema (hints override the types of an inferred schema; declare the types "
            + "in the schema instead)");
      }
      RowType declared = SchemaDdl.parse(spec.path(), spec.schemaDdl().get());
      String rescued = options.rescuedDataColumn();
      if (!rescued.isEmpty() && declared.getFieldNames().contains(rescued) && !rescued.equals(RowLayout.RESCUED_DATA)) {
        throw AutoLoaderErrors.badOption(spec.path(), "rescuedDataColumn", rescued,
            "a name that is not a column of the declared schema " + declared.getFieldNames()
            + " (the rescued data column is added after them)");
      }
      if (rescued.isEmpty() && legacyRescuedColumn) {
        rescued = RowLayout.RESCUED_DATA;
      }
      return withRescuedColumn(declared, rescued);
    }
    try {
      Path schemaFile = new Path(new Path(schemaLocation), SCHEMA_FILE);
      FileSystem schemaFs = schemaFile.getFileSystem(hadoopConf);
      if (schemaFs.exists(schemaFile)) {
        return withRescuedColumn(withHints(options, readStored(schemaFs, schemaFile)), options.rescuedDataColumn());
      }
      RowType inferred = infer(options, schemaLocation, hadoopConf);
      if (!storeInferred) {
        return withRescuedColumn(withHints(options, inferred), options.rescuedDataColumn());
      }
      store(schemaFs, schemaFile, inferred);
      return withRescuedColumn(withHints(options, readStored(schemaFs, schemaFile)), options.rescuedDataColumn());
    } catch (IOException e) {
      throw AutoLoaderErrors.schemaStoreUnreachable(spec.path(), schemaLocation, e);
    }
  }

  /**
   * {@code type} with the {@code schemaHints} applied: a hinted column takes the hint's type, a hinted
   * column that was not inferred is added at the end. Hints are applied on every resolve and are not
   * stored, so changing them changes the next update's types.
   */
  static RowType withHints(AutoLoaderOptions options, RowType type) {
    if (options.schemaHints().isEmpty()) {
      return type;
    }
    RowType hints = SchemaDdl.parse(options.path(), options.schemaHints());
    Map<String, RowType.RowField> fields = new LinkedHashMap<>();
    type.getFields().forEach(field -> fields.put(field.getName(), field));
    hints.getFields().forEach(hint -> fields.put(hint.getName(), new RowType.RowField(hint.getName(), hint.getType())));
    return new RowType(new ArrayList<>(fields.values()));
  }

  /** The type a new column met in a record gets when the schema evolves: as inference would type it. */
  static LogicalType evolvedType(JsonNode value, boolean inferColumnTypes) {
    Inferred type = value.isTextual() ? Inferred.STRING : Inferred.of(value);
    return (inferColumnTypes ? type : Inferred.STRING).logicalType();
  }

  /**
   * Adds {@code newColumns} (those not there yet) at the end of the schema stored under the options'
   * schema location. Concurrent evolutions by two readers may race: the loser's columns are met again by
   * the restarted flow and evolve then. The schema location is written with the pipeline's Hadoop
   * settings ({@code hadoop}), as every other storage path.
   */
  static void evolve(AutoLoaderOptions options, Map<String, LogicalType> newColumns, HadoopSettings hadoop) {
    Configuration hadoopConf = hadoop.toConfiguration();
    Path schemaFile = new Path(new Path(options.schemaLocation()), SCHEMA_FILE);
    try {
      FileSystem fs = schemaFile.getFileSystem(hadoopConf);
      List<RowType.RowField> fields = new ArrayList<>(fs.exists(schemaFile)
          ? readStored(fs, schemaFile).getFields() : List.of());
      List<String> names = new ArrayList<>();
      fields.forEach(field -> names.add(field.getName()));
      newColumns.forEach((name, type) -> {
        if (!names.contains(name)) {
          fields.add(new RowType.RowField(name, type));
        }
      });
      Path temporary = new Path(schemaFile.getParent(), "." + SCHEMA_FILE + "." + UUID.randomUUID() + ".tmp");
      fs.mkdirs(schemaFile.getParent());
      try (OutputStream out = fs.create(temporary, false)) {
        out.write(LineParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(new RowType(fields))));
      }
      fs.delete(schemaFile, false);
      if (!fs.rename(temporary, schemaFile)) {
        fs.delete(temporary, false);
        throw new IOException("could not rename " + temporary + " to " + schemaFile);
      }
    } catch (IOException e) {
      throw AutoLoaderErrors.evolvedSchemaNotStored(options.path(), newColumns.keySet(), options.schemaLocation(), e);
    }
  }

  /** {@code data}, nullable, ending with the rescued data column {@code rescued} (none if empty). */
  private static RowType withRescuedColumn(RowType data, String rescued) {
    List<RowType.RowField> fields = new ArrayList<>();
    for (RowType.RowField field : data.getFields()) {
      if (!field.getName().equals(rescued)) {
        fields.add(new RowType.RowField(field.getName(), field.getType().copy(true), field.getDescription().orElse(null)));
      }
    }
    if (!rescued.isEmpty()) {
      fields.add(new RowType.RowField(rescued, VarCharType.STRING_TYPE));
    }
    return new RowType(fields);
  }

  // ---- inference ----------------------------------------------------------------------------

  /** The inferred type of a column, widened as values are seen. */
  private enum Inferred {
    NONE, BOOLEAN, BIGINT, DOUBLE, STRING;

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

  static RowType infer(AutoLoaderOptions options, String schemaLocation, Configuration hadoopConf) throws IOException {
    List<FileStatus> sample = sampleFiles(options, hadoopConf);
    if (sample.isEmpty()) {
      throw AutoLoaderErrors.nothingToInferFrom(options.path(), schemaLocation);
    }
    if (options.format() == AutoLoader.Format.PARQUET) {
      return ParquetSchemas.infer(options.path(), sample, hadoopConf);
    }
    Map<String, Inferred> columns = options.format() == AutoLoader.Format.JSON ? new TreeMap<>() : new LinkedHashMap<>();
    Map<String, String> lowerCaseNames = new java.util.HashMap<>();
    long budget = options.sampleBytes();
    int maxPositional = 0;
    ObjectReader csv = options.format() == AutoLoader.Format.CSV ? CsvLineParser.reader(options) : null;
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
              addColumn(columns, lowerCaseNames, field.getKey(), typeOf(options, Inferred.of(field.getValue())));
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
  private static void addColumn(Map<String, Inferred> columns, Map<String, String> lowerCaseNames, String name,
      Inferred type) {
    if (name.equals(RowLayout.RESCUED_DATA)) {
      return;
    }
    String known = lowerCaseNames.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
    if (known == null || known.equals(name)) {
      columns.merge(name, type, Inferred::merge);
    }
  }

  private static List<FileStatus> sampleFiles(AutoLoaderOptions options, Configuration hadoopConf) throws IOException {
    Path root = new Path(options.path());
    FileSystem fs = root.getFileSystem(hadoopConf);
    List<FileStatus> files = new ArrayList<>();
    if (!fs.exists(root)) {
      return files;
    }
    PathMatcher glob = options.pathGlobFilter().isEmpty() ? null
        : FileSystems.getDefault().getPathMatcher("glob:" + options.pathGlobFilter());
    List<FileStatus> dirs = new ArrayList<>(List.of(fs.getFileStatus(root)));
    while (!dirs.isEmpty()) {
      FileStatus dir = dirs.remove(dirs.size() - 1);
      FileStatus[] children = dir.isDirectory() ? fs.listStatus(dir.getPath()) : new FileStatus[] {dir};
      for (FileStatus child : children) {
        String name = child.getPath().getName();
        if (child != dir && FileDiscovery.isHidden(name)) {
          continue;
        }
        if (child.isDirectory()) {
          if (options.recursive()) {
            dirs.add(child);
          }
        } else if (child.getLen() > 0 && (glob == null || glob.matches(java.nio.file.Path.of(name)))) {
          files.add(child);
        }
      }
    }
    files.sort((a, b) -> a.getModificationTime() != b.getModificationTime()
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

  // ---- storage ------------------------------------------------------------------------------

  private static ObjectNode toJson(RowType type) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("version", 1);
    ArrayNode columns = root.putArray("columns");
    for (RowType.RowField field : type.getFields()) {
      columns.addObject().put("name", field.getName()).put("type", field.getType().asSerializableString());
    }
    return root;
  }

  private static void store(FileSystem fs, Path schemaFile, RowType type) throws IOException {
    ObjectNode root = toJson(type);
    Path temporary = new Path(schemaFile.getParent(), "." + SCHEMA_FILE + "." + UUID.randomUUID() + ".tmp");
    fs.mkdirs(schemaFile.getParent());
    try (OutputStream out = fs.create(temporary, false)) {
      out.write(LineParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }
    // Rename into place; if another resolver won the race, its schema is the one every update uses.
    if (!fs.rename(temporary, schemaFile)) {
      fs.delete(temporary, false);
      if (!fs.exists(schemaFile)) {
        throw new IOException("could not rename " + temporary + " to " + schemaFile);
      }
    }
  }

  private static RowType readStored(FileSystem fs, Path schemaFile) throws IOException {
    JsonNode root;
    try (InputStream in = fs.open(schemaFile)) {
      root = LineParser.JSON.readTree(in.readAllBytes());
    } catch (JsonProcessingException e) {
      throw AutoLoaderErrors.unreadableStoredSchema(schemaFile.toString(), "it is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || root.path("version").asInt() != 1 || !root.path("columns").isArray()) {
      throw AutoLoaderErrors.unreadableStoredSchema(schemaFile.toString(), "it has no version 1 column list");
    }
    List<RowType.RowField> fields = new ArrayList<>();
    for (JsonNode column : root.get("columns")) {
      String name = column.path("name").asText(null);
      String type = column.path("type").asText(null);
      if (name == null || type == null) {
        throw AutoLoaderErrors.unreadableStoredSchema(schemaFile.toString(), "a column lacks its name or type");
      }
      try {
        fields.add(new RowType.RowField(name, LogicalTypeParser.parse(type, AutoLoaderSchemas.class.getClassLoader())));
      } catch (ValidationException e) {
        throw AutoLoaderErrors.unreadableStoredSchema(schemaFile.toString(), "column '" + name + "' has type '"
            + type + "' that Flink cannot parse");
      }
    }
    return new RowType(fields);
  }
}
