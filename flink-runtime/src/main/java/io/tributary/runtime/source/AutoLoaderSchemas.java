package io.tributary.runtime.source;

import io.tributary.dsl.AutoLoader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

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
 * {@link MetadataColumns} follow. {@link SchemaInference} infers, {@link StoredSchemas} stores the
 * inferred schema and the columns schema evolution adds.
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
  public static RowType resolve(
      AutoLoader spec, String schemaLocation, Configuration hadoopConf, boolean storeInferred) {
    return resolve(spec, schemaLocation, hadoopConf, storeInferred, false);
  }

  /**
   * As {@link #resolve(AutoLoader, String, Configuration, boolean)}; with {@code legacyRescuedColumn} a
   * declared schema without the {@code rescuedDataColumn} option still ends with
   * {@value RowLayout#RESCUED_DATA}. That was the default before a declared schema followed Auto Loader
   * (no rescued data column unless named): the caller sets it when the table the source feeds already
   * has that column, so the table's schema and the state saved with it stay as they were.
   */
  public static RowType resolve(
      AutoLoader spec,
      String schemaLocation,
      Configuration hadoopConf,
      boolean storeInferred,
      boolean legacyRescuedColumn) {
    RowType type =
        resolveFileColumns(spec, schemaLocation, hadoopConf, storeInferred, legacyRescuedColumn);
    return AutoLoaderOptions.includeMetadata(spec) ? MetadataColumns.append(type) : type;
  }

  private static RowType resolveFileColumns(
      AutoLoader spec,
      String schemaLocation,
      Configuration hadoopConf,
      boolean storeInferred,
      boolean legacyRescuedColumn) {
    AutoLoaderOptions options = AutoLoaderOptions.of(spec);
    switch (options.format()) {
      case TEXT:
        if (spec.schemaDdl().isPresent()) {
          throw AutoLoaderErrors.badSchemaDdl(
              spec.path(),
              spec.schemaDdl().get(),
              "a text source always has the one column value STRING");
        }
        return RowType.of(new LogicalType[] {VarCharType.STRING_TYPE}, new String[] {"value"});
      default:
        break;
    }
    if (spec.schemaDdl().isPresent()) {
      if (!options.schemaHints().isEmpty()) {
        throw AutoLoaderErrors.badOption(
            spec.path(),
            "schemaHints",
            options.schemaHints(),
            "left out with a declared schema (hints override the types of an inferred schema; declare the types "
                + "in the schema instead)");
      }
      RowType declared = SchemaDdl.parse(spec.path(), spec.schemaDdl().get());
      String rescued = options.rescuedDataColumn();
      if (!rescued.isEmpty()
          && declared.getFieldNames().contains(rescued)
          && !rescued.equals(RowLayout.RESCUED_DATA)) {
        throw AutoLoaderErrors.badOption(
            spec.path(),
            "rescuedDataColumn",
            rescued,
            "a name that is not a column of the declared schema "
                + declared.getFieldNames()
                + " (the rescued data column is added after them)");
      }
      if (rescued.isEmpty() && legacyRescuedColumn) {
        rescued = RowLayout.RESCUED_DATA;
      }
      return withRescuedColumn(declared, rescued);
    }
    try {
      Path schemaFile = StoredSchemas.file(schemaLocation);
      FileSystem schemaFs = schemaFile.getFileSystem(hadoopConf);
      if (schemaFs.exists(schemaFile)) {
        return withRescuedColumn(
            withHints(options, StoredSchemas.read(schemaFs, schemaFile)),
            options.rescuedDataColumn());
      }
      RowType inferred = SchemaInference.infer(options, schemaLocation, hadoopConf);
      if (!storeInferred) {
        return withRescuedColumn(withHints(options, inferred), options.rescuedDataColumn());
      }
      StoredSchemas.store(schemaFs, schemaFile, inferred);
      return withRescuedColumn(
          withHints(options, StoredSchemas.read(schemaFs, schemaFile)),
          options.rescuedDataColumn());
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
    hints
        .getFields()
        .forEach(
            hint ->
                fields.put(hint.getName(), new RowType.RowField(hint.getName(), hint.getType())));
    return new RowType(new ArrayList<>(fields.values()));
  }

  /** {@code data}, nullable, ending with the rescued data column {@code rescued} (none if empty). */
  private static RowType withRescuedColumn(RowType data, String rescued) {
    List<RowType.RowField> fields = new ArrayList<>();
    for (RowType.RowField field : data.getFields()) {
      if (!field.getName().equals(rescued)) {
        fields.add(
            new RowType.RowField(
                field.getName(), field.getType().copy(true), field.getDescription().orElse(null)));
      }
    }
    if (!rescued.isEmpty()) {
      fields.add(new RowType.RowField(rescued, VarCharType.STRING_TYPE));
    }
    return new RowType(fields);
  }
}
