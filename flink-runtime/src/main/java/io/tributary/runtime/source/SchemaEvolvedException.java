package io.tributary.runtime.source;

import java.util.List;
import java.util.Optional;

/**
 * An Auto Loader source met new columns under {@link SchemaEvolutionMode#ADD_NEW_COLUMNS} and stored the
 * evolved schema: the flow must be restarted (resolving the schema again) to read them, as Databricks
 * Auto Loader stops the stream. Not a user error: a runtime that sees it in a job failure's causes
 * ({@link #find}) restarts the flow within the same update; the restarted job re-reads the file from its
 * last checkpoint, so no row is lost or duplicated.
 */
public final class SchemaEvolvedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String sourceId;
  private final List<String> newColumns;
  private final String schemaLocation;

  SchemaEvolvedException(String message, String sourceId, List<String> newColumns, String schemaLocation) {
    super(message);
    this.sourceId = sourceId;
    this.newColumns = List.copyOf(newColumns);
    this.schemaLocation = schemaLocation;
  }

  /** The source that met the columns. */
  public String sourceId() {
    return sourceId;
  }

  /** The new columns, in the order met. */
  public List<String> newColumns() {
    return newColumns;
  }

  /** Where the evolved schema was stored. */
  public String schemaLocation() {
    return schemaLocation;
  }

  /**
   * The first {@code SchemaEvolvedException} in the causes of {@code failure}, matched by class name as
   * well, because a job failure may carry it serialized by another class loader.
   */
  public static Optional<Throwable> find(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getClass().getName().equals(SchemaEvolvedException.class.getName())
          || (t.getMessage() != null && t.getMessage().contains(MARKER))) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** A phrase every message holds, so the exception is recognised even as a stringified cause. */
  static final String MARKER = "schemaEvolutionMode=addNewColumns stored the evolved schema";
}
