package io.tributary.runtime.source;

import static io.tributary.runtime.source.AutoLoaderSchemas.SCHEMA_FILE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.runtime.storage.HadoopSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The schema location's {@value AutoLoaderSchemas#SCHEMA_FILE}: an inferred schema, stored once and
 * read by every later update, and the columns schema evolution adds to it. The file is JSON
 * ({@code {"version": 1, "columns": [{"name": …, "type": …}]}}, types as Flink's serializable
 * strings), written to a temporary file and renamed into place.
 */
final class StoredSchemas {

  private StoredSchemas() {}

  /** The schema file under {@code schemaLocation}. */
  static Path file(String schemaLocation) {
    return new Path(new Path(schemaLocation), SCHEMA_FILE);
  }

  /**
   * Adds {@code newColumns} (those not there yet) at the end of the schema stored under the options'
   * schema location. Concurrent evolutions by two readers may race: the loser's columns are met again by
   * the restarted flow and evolve then. The schema location is written with the pipeline's Hadoop
   * settings ({@code hadoop}), as every other storage path.
   */
  static void evolve(
      AutoLoaderOptions options, Map<String, LogicalType> newColumns, HadoopSettings hadoop) {
    Configuration hadoopConf = hadoop.toConfiguration();
    Path schemaFile = file(options.schemaLocation());
    try {
      FileSystem fs = schemaFile.getFileSystem(hadoopConf);
      List<RowType.RowField> fields =
          new ArrayList<>(fs.exists(schemaFile) ? read(fs, schemaFile).getFields() : List.of());
      List<String> names = new ArrayList<>();
      fields.forEach(field -> names.add(field.getName()));
      newColumns.forEach(
          (name, type) -> {
            if (!names.contains(name)) {
              fields.add(new RowType.RowField(name, type));
            }
          });
      Path temporary = writeTemporary(fs, schemaFile, new RowType(fields));
      fs.delete(schemaFile, false);
      if (!fs.rename(temporary, schemaFile)) {
        fs.delete(temporary, false);
        throw new IOException("could not rename " + temporary + " to " + schemaFile);
      }
    } catch (IOException e) {
      throw AutoLoaderErrors.evolvedSchemaNotStored(
          options.path(), newColumns.keySet(), options.schemaLocation(), e);
    }
  }

  private static ObjectNode toJson(RowType type) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("version", 1);
    ArrayNode columns = root.putArray("columns");
    for (RowType.RowField field : type.getFields()) {
      columns
          .addObject()
          .put("name", field.getName())
          .put("type", field.getType().asSerializableString());
    }
    return root;
  }

  /** Stores {@code type} as {@code schemaFile} unless another resolver stored one first. */
  static void store(FileSystem fs, Path schemaFile, RowType type) throws IOException {
    Path temporary = writeTemporary(fs, schemaFile, type);
    // Rename into place; if another resolver won the race, its schema is the one every update uses.
    if (!fs.rename(temporary, schemaFile)) {
      fs.delete(temporary, false);
      if (!fs.exists(schemaFile)) {
        throw new IOException("could not rename " + temporary + " to " + schemaFile);
      }
    }
  }

  /** The schema stored in {@code schemaFile}; a clear error when it is not one this class wrote. */
  static RowType read(FileSystem fs, Path schemaFile) throws IOException {
    JsonNode root;
    try (InputStream in = fs.open(schemaFile)) {
      root = LineParser.JSON.readTree(in.readAllBytes());
    } catch (JsonProcessingException e) {
      throw AutoLoaderErrors.unreadableStoredSchema(
          schemaFile.toString(), "it is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || root.path("version").asInt() != 1 || !root.path("columns").isArray()) {
      throw AutoLoaderErrors.unreadableStoredSchema(
          schemaFile.toString(), "it has no version 1 column list");
    }
    List<RowType.RowField> fields = new ArrayList<>();
    for (JsonNode column : root.get("columns")) {
      String name = column.path("name").asText(null);
      String type = column.path("type").asText(null);
      if (name == null || type == null) {
        throw AutoLoaderErrors.unreadableStoredSchema(
            schemaFile.toString(), "a column lacks its name or type");
      }
      try {
        fields.add(
            new RowType.RowField(
                name, LogicalTypeParser.parse(type, AutoLoaderSchemas.class.getClassLoader())));
      } catch (ValidationException e) {
        throw AutoLoaderErrors.unreadableStoredSchema(
            schemaFile.toString(),
            "column '" + name + "' has type '" + type + "' that Flink cannot parse");
      }
    }
    return new RowType(fields);
  }

  /** Writes {@code type} to a new temporary file beside {@code schemaFile}, to rename into place. */
  private static Path writeTemporary(FileSystem fs, Path schemaFile, RowType type)
      throws IOException {
    Path temporary =
        new Path(schemaFile.getParent(), "." + SCHEMA_FILE + "." + UUID.randomUUID() + ".tmp");
    fs.mkdirs(schemaFile.getParent());
    try (OutputStream out = fs.create(temporary, false)) {
      out.write(LineParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(type)));
    }
    return temporary;
  }
}
