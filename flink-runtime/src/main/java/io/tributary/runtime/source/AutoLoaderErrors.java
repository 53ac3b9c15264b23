package io.tributary.runtime.source;

import java.util.Collection;
import java.util.List;

/** The one place that words user-facing Auto Loader errors, so they stay consistent and complete. */
final class AutoLoaderErrors {

  private AutoLoaderErrors() {}

  static AutoLoaderException unknownOption(String path, String key, Collection<String> known) {
    return new AutoLoaderException(
        "Auto Loader source on '"
            + path
            + "': unknown option '"
            + key
            + "'. Known options: "
            + known
            + ". Check the key passed to option().");
  }

  static AutoLoaderException badOption(String path, String key, String value, String expected) {
    return new AutoLoaderException(
        "Auto Loader source on '"
            + path
            + "': option '"
            + key
            + "' is '"
            + value
            + "' but must be "
            + expected
            + ". Fix the value passed to option(\""
            + key
            + "\", ...).");
  }

  static AutoLoaderException badSchemaDdl(String path, String ddl, String reason) {
    return new AutoLoaderException(
        "Auto Loader source on '"
            + path
            + "': the declared schema ["
            + ddl
            + "] is not valid: "
            + reason
            + ". Write it as a Flink SQL column list, for example "
            + "\"event_id STRING NOT NULL, user_id STRING, `timestamp` TIMESTAMP(3)\".");
  }

  static AutoLoaderException unsupportedColumnTypes(String path, List<String> columns) {
    return new AutoLoaderException(
        "Auto Loader source on '"
            + path
            + "': columns "
            + columns
            + " have types the reader cannot produce yet. Supported: STRING/CHAR/VARCHAR, BOOLEAN, TINYINT, "
            + "SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, DATE, TIMESTAMP(p), TIMESTAMP_LTZ(p). Declare "
            + "them as STRING (nested JSON values are kept as their JSON text) and parse them in a query.");
  }

  static AutoLoaderException nothingToInferFrom(String path, String schemaLocation) {
    return new AutoLoaderException(
        "Auto Loader source on '"
            + path
            + "': cannot infer a schema: there "
            + "are no input files under the path and no schema stored under '"
            + schemaLocation
            + "'. "
            + "Declare the schema with AutoLoader.schema(\"col TYPE, ...\"), or add files before the first update.");
  }

  static AutoLoaderException unreadableStoredSchema(String schemaFile, String reason) {
    return new AutoLoaderException(
        "The stored Auto Loader schema '"
            + schemaFile
            + "' cannot be read: "
            + reason
            + ". It was written by Tributary and must not be edited; delete it to infer the schema "
            + "again (the next update then infers it from the files).");
  }

  static AutoLoaderException malformedRecord(
      String sourceId, String file, long line, String reason, String rescuedColumn) {
    String keep =
        rescuedColumn.isEmpty()
            ? "mode=PERMISSIVE to read such records with NULLs where they do not fit (and option rescuedDataColumn "
                + "to keep what does not fit in a column)"
            : "mode=PERMISSIVE to keep such records in the " + rescuedColumn + " column";
    return new AutoLoaderException(
        "Auto Loader source '"
            + sourceId
            + "': malformed record in file "
            + file
            + " at line "
            + line
            + ": "
            + reason
            + ". The option mode=FAILFAST stops at the first "
            + "malformed record; fix the file, or use "
            + keep
            + ", or mode=DROPMALFORMED to drop them.");
  }

  static SchemaEvolvedException schemaEvolved(
      String sourceId, String file, long line, List<String> columns, String schemaLocation) {
    return new SchemaEvolvedException(
        "Auto Loader source '"
            + sourceId
            + "': file "
            + file
            + " at line "
            + line
            + " has new columns "
            + columns
            + " that are not in the schema. "
            + SchemaEvolvedException.MARKER
            + " under '"
            + schemaLocation
            + "', so the flow stops here and its next run reads them (production mode "
            + "restarts it within the update, development mode in the next update); use schemaEvolutionMode=rescue "
            + "to keep such fields in _rescued_data instead.",
        sourceId,
        columns,
        schemaLocation,
        file);
  }

  static AutoLoaderException newColumnsRejected(
      String sourceId, String file, long line, List<String> columns) {
    return new AutoLoaderException(
        "Auto Loader source '"
            + sourceId
            + "': file "
            + file
            + " at line "
            + line
            + " has new columns "
            + columns
            + " that are not in the schema, and schemaEvolutionMode=failOnNewColumns "
            + "stops on them. Add the columns to the schema, or use schemaEvolutionMode=addNewColumns (evolve), "
            + "rescue (keep them in _rescued_data) or none (ignore them).");
  }

  static AutoLoaderException watermarkColumn(
      String path, String column, String problem, List<String> columns) {
    return new AutoLoaderException(
        "Auto Loader source on '"
            + path
            + "': the watermark column '"
            + column
            + "' "
            + problem
            + ". Columns: "
            + columns
            + ". Pass a TIMESTAMP or TIMESTAMP_LTZ column to withWatermark(), "
            + "declaring its type in the schema or in schemaHints if it is inferred as STRING.");
  }

  static AutoLoaderException schemaStoreUnreachable(
      String path, String schemaLocation, Exception e) {
    return new AutoLoaderException(
        "Auto Loader source on '"
            + path
            + "': cannot read or store the schema "
            + "under '"
            + schemaLocation
            + "': "
            + e.getMessage()
            + ". Check that both paths are reachable.",
        e);
  }

  static AutoLoaderException evolvedSchemaNotStored(
      String path, Collection<String> newColumns, String schemaLocation, Exception e) {
    return new AutoLoaderException(
        "Auto Loader source on '"
            + path
            + "': met new columns "
            + newColumns
            + " but cannot store the evolved schema under '"
            + schemaLocation
            + "': "
            + e.getMessage()
            + ". Check that the schema location is writable, then restart the flow.",
        e);
  }

  static AutoLoaderException noFieldsInSample(String path, int sampled) {
    return new AutoLoaderException(
        "Auto Loader source on '"
            + path
            + "': cannot infer a schema: the "
            + sampled
            + " sampled files hold no records with fields. Declare the schema with "
            + "AutoLoader.schema(\"col TYPE, ...\"), or add files with records before the first update.");
  }

  static AutoLoaderException unreadableParquetFooter(String path, String file, Exception e) {
    return new AutoLoaderException(
        "Auto Loader source on '"
            + path
            + "': cannot read the Parquet footer of "
            + file
            + " to infer the schema: "
            + e.getMessage()
            + ". Remove or fix the file, or declare "
            + "the schema with AutoLoader.schema(\"col TYPE, ...\").",
        e);
  }

  static AutoLoaderException noSupportedParquetColumns(
      String path, int sampled, List<String> skipped) {
    return new AutoLoaderException(
        "Auto Loader source on '"
            + path
            + "': cannot infer a schema from the "
            + sampled
            + " sampled Parquet files: they have no column of a supported type (skipped: "
            + skipped
            + "). Declare the schema with AutoLoader.schema(\"col TYPE, ...\").");
  }

  static SourceRowException rowFailed(
      String sourceId,
      String file,
      java.util.Optional<String> position,
      String row,
      RuntimeException cause) {
    String where = position.map(p -> p + " of file " + file).orElse("file " + file);
    return new SourceRowException(
        "Auto Loader source '"
            + sourceId
            + "': the record at "
            + where
            + " failed in an "
            + "operator after the source: "
            + SourceRowException.messageOf(cause).replaceAll("\\.$", "")
            + ". The record: "
            + row
            + ".",
        sourceId,
        file,
        position.orElse(""),
        row,
        cause);
  }
}
