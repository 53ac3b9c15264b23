package io.tributary.runtime.source;

import java.util.Locale;

/**
 * What an Auto Loader source does with a record that has a column the schema lacks (option
 * {@code schemaEvolutionMode}, Auto Loader's {@code cloudFiles.schemaEvolutionMode}). A field that
 * differs from a column only in case is never a new column: it is rescued.
 */
public enum SchemaEvolutionMode {
  /**
   * Store the schema with the new columns (typed as inference would) and fail the source with a
   * {@link SchemaEvolvedException} naming them; the runtime restarts the flow, which then reads with the
   * evolved schema. The default for an inferred schema. Needs the schema location
   * ({@link AutoLoaderSource#withSchemaLocation}); without one new columns are rescued.
   */
  ADD_NEW_COLUMNS("addNewColumns"),
  /** Never change the schema; keep new columns' values in {@code _rescued_data}. The default for a declared schema. */
  RESCUE("rescue"),
  /** Fail the source, naming the new columns and the file; the schema must be changed by hand. */
  FAIL_ON_NEW_COLUMNS("failOnNewColumns"),
  /** Never change the schema and ignore new columns (their values are not kept). */
  NONE("none");

  private final String optionValue;

  SchemaEvolutionMode(String optionValue) {
    this.optionValue = optionValue;
  }

  /** The value as written in {@code option("schemaEvolutionMode", ...)}. */
  public String optionValue() {
    return optionValue;
  }

  /** The mode written as {@code value} (any case), or {@code null}. */
  static SchemaEvolutionMode parse(String value) {
    for (SchemaEvolutionMode mode : values()) {
      if (mode.optionValue.toLowerCase(Locale.ROOT).equals(value.trim().toLowerCase(Locale.ROOT))) {
        return mode;
      }
    }
    return null;
  }
}
