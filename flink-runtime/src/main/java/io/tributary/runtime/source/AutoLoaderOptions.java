package io.tributary.runtime.source;

import io.tributary.dsl.AutoLoader;
import java.io.Serializable;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The reader options of one {@link AutoLoader} spec, parsed and checked once, so a typo such as
 * {@code delimeter} fails when the pipeline is built and not silently later. Serializable: it travels
 * with the source to the enumerator and the readers.
 *
 * @param format file format
 * @param path the input directory (a local path or Hadoop URI)
 * @param header CSV: the first line of each file names the columns
 * @param delimiter CSV column separator
 * @param quote CSV quote character
 * @param escape CSV escape character
 * @param mode what a record that cannot be read does ({@code mode}: PERMISSIVE, DROPMALFORMED, FAILFAST)
 * @param rescuedDataColumn the column that keeps what does not fit the schema ({@code rescuedDataColumn}),
 *     empty for none. An inferred schema always has one, {@value RowLayout#RESCUED_DATA} unless named;
 *     a declared schema has one only when the option names it, as in Auto Loader (see
 *     {@link AutoLoaderSchemas#resolve(AutoLoader, String, org.apache.hadoop.conf.Configuration, boolean, boolean)}
 *     for the tables created before, which keep theirs)
 * @param pathGlobFilter glob on file names, empty for all files
 * @param recursive whether sub-directories are listed ({@code recursiveFileLookup})
 * @param inferColumnTypes infer BIGINT/DOUBLE/BOOLEAN instead of all STRING
 * @param sampleFiles at most this many files are read to infer a schema
 * @param sampleBytes at most this many bytes are read to infer a schema
 * @param evolutionMode what a record with a column the schema lacks does ({@code schemaEvolutionMode})
 * @param schemaHints a column list ({@code "id BIGINT, ts TIMESTAMP(3)"}) whose types override inferred
 *     ones, empty for none
 * @param schemaLocation where the inferred schema is stored, so {@code addNewColumns} can evolve it; not an
 *     option: set by {@link AutoLoaderSource#withSchemaLocation}, empty until then
 */
public record AutoLoaderOptions(
    AutoLoader.Format format,
    String path,
    boolean header,
    char delimiter,
    char quote,
    char escape,
    ParseMode mode,
    String rescuedDataColumn,
    String pathGlobFilter,
    boolean recursive,
    boolean inferColumnTypes,
    int sampleFiles,
    long sampleBytes,
    SchemaEvolutionMode evolutionMode,
    String schemaHints,
    String schemaLocation)
    implements Serializable {

  /** The option keys this reader understands, sorted (error messages list them); unmodifiable. */
  public static final Set<String> KNOWN =
      Collections.unmodifiableSortedSet(
          new TreeSet<>(
              List.of(
                  "header",
                  "delimiter",
                  "sep",
                  "quote",
                  "escape",
                  "mode",
                  "rescuedDataColumn",
                  "pathGlobFilter",
                  "recursiveFileLookup",
                  "inferColumnTypes",
                  "schemaInference.sampleSize.numFiles",
                  "schemaInference.sampleSize.numBytes",
                  "maxFilesPerTrigger",
                  "maxBytesPerTrigger",
                  "includeExistingFiles",
                  "modifiedAfter",
                  "maxFileAge",
                  "schemaEvolutionMode",
                  "schemaHints",
                  "includeMetadata")));

  /** Auto Loader's prefix for its own options; accepted and ignored, so {@code cloudFiles.maxFileAge} works. */
  static final String PREFIX = "cloudFiles.";

  public AutoLoaderOptions {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(rescuedDataColumn, "rescuedDataColumn");
    Objects.requireNonNull(pathGlobFilter, "pathGlobFilter");
    Objects.requireNonNull(evolutionMode, "evolutionMode");
    Objects.requireNonNull(schemaHints, "schemaHints");
    Objects.requireNonNull(schemaLocation, "schemaLocation");
  }

  /** A copy that evolves the schema stored under {@code location}. */
  public AutoLoaderOptions withSchemaLocation(String location) {
    Objects.requireNonNull(location, "location");
    return new AutoLoaderOptions(
        format,
        path,
        header,
        delimiter,
        quote,
        escape,
        mode,
        rescuedDataColumn,
        pathGlobFilter,
        recursive,
        inferColumnTypes,
        sampleFiles,
        sampleBytes,
        evolutionMode,
        schemaHints,
        location);
  }

  /** {@code mode=FAILFAST}: a malformed record or a type mismatch fails the source. */
  public boolean failFast() {
    return mode == ParseMode.FAILFAST;
  }

  /** {@code mode=DROPMALFORMED}: a record that cannot be read is dropped, logged and counted. */
  public boolean dropMalformed() {
    return mode == ParseMode.DROPMALFORMED;
  }

  /**
   * The name the rescued data column has when the produced type has one: the option's, or
   * {@value RowLayout#RESCUED_DATA} (a declared-schema table created before keeps that column).
   */
  public String rescuedColumnName() {
    return rescuedDataColumn.isEmpty() ? RowLayout.RESCUED_DATA : rescuedDataColumn;
  }

  /** Parses and validates the options of {@code spec}; reports an unknown key with the known ones. */
  public static AutoLoaderOptions of(AutoLoader spec) {
    String path = spec.path();
    Map<String, String> options = normalized(spec);
    ParseMode mode = ParseMode.parse(options.getOrDefault("mode", "PERMISSIVE"));
    if (mode == null) {
      throw AutoLoaderErrors.badOption(
          path, "mode", options.get("mode"), "PERMISSIVE, DROPMALFORMED or FAILFAST");
    }
    SchemaEvolutionMode evolution =
        spec.schemaDdl().isPresent() || spec.format() == AutoLoader.Format.TEXT
            ? SchemaEvolutionMode.RESCUE
            : SchemaEvolutionMode.ADD_NEW_COLUMNS;
    if (options.containsKey("schemaEvolutionMode")) {
      evolution = SchemaEvolutionMode.parse(options.get("schemaEvolutionMode"));
      if (evolution == null) {
        throw AutoLoaderErrors.badOption(
            path,
            "schemaEvolutionMode",
            options.get("schemaEvolutionMode"),
            "addNewColumns, rescue, failOnNewColumns or none");
      }
      if (evolution == SchemaEvolutionMode.ADD_NEW_COLUMNS && spec.schemaDdl().isPresent()) {
        throw AutoLoaderErrors.badOption(
            path,
            "schemaEvolutionMode",
            options.get("schemaEvolutionMode"),
            "rescue, failOnNewColumns or none with a declared schema (addNewColumns evolves an inferred, "
                + "stored schema; change the declared schema instead)");
      }
    }
    String delimiter =
        options.containsKey("delimiter")
            ? options.get("delimiter")
            : options.getOrDefault("sep", ",");
    return new AutoLoaderOptions(
        spec.format(),
        path,
        bool(path, options, "header", false),
        character(path, "delimiter", delimiter),
        character(path, "quote", options.getOrDefault("quote", "\"")),
        character(path, "escape", options.getOrDefault("escape", "\\")),
        mode,
        rescuedDataColumn(spec, options),
        options.getOrDefault("pathGlobFilter", ""),
        bool(path, options, "recursiveFileLookup", true),
        bool(path, options, "inferColumnTypes", false),
        (int)
            Math.min(
                Integer.MAX_VALUE,
                positive(path, options, "schemaInference.sampleSize.numFiles", 1000)),
        positive(path, options, "schemaInference.sampleSize.numBytes", 50L * 1024 * 1024),
        evolution,
        options.getOrDefault("schemaHints", "").trim(),
        "");
  }

  /**
   * The options of {@code spec} with the {@code cloudFiles.} prefix removed, every key checked against
   * {@link #KNOWN}.
   */
  static Map<String, String> normalized(AutoLoader spec) {
    Map<String, String> options = new java.util.TreeMap<>();
    for (Map.Entry<String, String> option : spec.options().entrySet()) {
      String key =
          option.getKey().startsWith(PREFIX)
              ? option.getKey().substring(PREFIX.length())
              : option.getKey();
      if (!KNOWN.contains(key)) {
        throw AutoLoaderErrors.unknownOption(spec.path(), option.getKey(), KNOWN);
      }
      options.put(key, option.getValue());
    }
    return options;
  }

  /** Whether {@code spec} asks for the source metadata columns ({@code includeMetadata=true}). */
  public static boolean includeMetadata(AutoLoader spec) {
    return bool(spec.path(), normalized(spec), "includeMetadata", false);
  }

  /** The discovery options (rate limits, existing files, age) of {@code spec}. */
  public static DiscoveryOptions discovery(AutoLoader spec) {
    return DiscoveryOptions.of(spec.path(), normalized(spec));
  }

  /**
   * The rescued data column {@code spec} asks for: the name given, else {@value RowLayout#RESCUED_DATA}
   * for an inferred schema and none for a declared one, as Auto Loader. {@code true} and {@code false},
   * this option's values before it took a name, still mean {@value RowLayout#RESCUED_DATA} and none
   * (an inferred schema keeps its column whatever it says).
   */
  private static String rescuedDataColumn(AutoLoader spec, Map<String, String> options) {
    boolean declared = spec.schemaDdl().isPresent();
    String value = options.get("rescuedDataColumn");
    if (value == null) {
      return declared ? "" : RowLayout.RESCUED_DATA;
    }
    String name = value.trim();
    if (name.equalsIgnoreCase("true")) {
      return RowLayout.RESCUED_DATA;
    }
    if (name.equalsIgnoreCase("false")) {
      return declared ? "" : RowLayout.RESCUED_DATA;
    }
    if (name.isEmpty() || name.contains("`") || MetadataColumns.NAMES.contains(name)) {
      throw AutoLoaderErrors.badOption(
          spec.path(),
          "rescuedDataColumn",
          value,
          "the name of the column that keeps what does not fit the schema (not blank, no back-quote, not a "
              + "metadata column), such as _rescued_data");
    }
    return name;
  }

  private static boolean bool(
      String path, Map<String, String> options, String key, boolean defaultValue) {
    String value = options.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    throw AutoLoaderErrors.badOption(path, key, value, "true or false");
  }

  private static char character(String path, String key, String value) {
    if (value.length() != 1) {
      throw AutoLoaderErrors.badOption(path, key, value, "exactly one character");
    }
    return value.charAt(0);
  }

  private static long positive(
      String path, Map<String, String> options, String key, long defaultValue) {
    String value = options.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed > 0 && parsed <= Integer.MAX_VALUE * 1024L) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw AutoLoaderErrors.badOption(path, key, value, "a positive whole number");
  }
}
