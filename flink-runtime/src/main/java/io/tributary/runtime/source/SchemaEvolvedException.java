package io.tributary.runtime.source;

import java.util.List;
import java.util.Optional;
import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * An Auto Loader source met new columns under {@link SchemaEvolutionMode#ADD_NEW_COLUMNS} and stored the
 * evolved schema: the flow must be restarted (resolving the schema again) to read them, as Databricks
 * Auto Loader stops the stream. Not a user error: a runtime that sees it in a job failure's causes
 * ({@link #find}) restarts the flow within the same update; the restarted job re-reads the file from its
 * last checkpoint, so no row is lost or duplicated. Flink's own restart strategy must not run the same
 * job graph again (it would meet the columns again with the old schema), hence non-recoverable.
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public final class SchemaEvolvedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String sourceId;
  private final List<String> newColumns;
  private final String schemaLocation;
  private final String file;

  SchemaEvolvedException(
      String message,
      String sourceId,
      List<String> newColumns,
      String schemaLocation,
      String file) {
    super(message);
    this.sourceId = sourceId;
    this.newColumns = List.copyOf(newColumns);
    this.schemaLocation = schemaLocation;
    this.file = file;
  }

  /** The file where the columns were met. */
  public String file() {
    return file;
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
   * well, because a job failure may carry it serialized by another class loader: then deserialized
   * if it can be, else the serialized form, whose message names the columns.
   */
  public static Optional<Throwable> find(Throwable failure) {
    Throwable byMessage = null;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SchemaEvolvedException) {
        return Optional.of(t);
      }
      if (t instanceof org.apache.flink.util.SerializedThrowable serialized
          && serialized
              .getOriginalErrorClassName()
              .equals(SchemaEvolvedException.class.getName())) {
        Throwable original =
            serialized.deserializeError(SchemaEvolvedException.class.getClassLoader());
        return Optional.of(original instanceof SchemaEvolvedException ? original : serialized);
      }
      if (byMessage == null
          && (t.getClass().getName().equals(SchemaEvolvedException.class.getName())
              || (t.getMessage() != null && t.getMessage().contains(MARKER)))) {
        byMessage = t;
      }
    }
    return Optional.ofNullable(byMessage);
  }

  /** A phrase every message holds, so the exception is recognised even as a stringified cause. */
  static final String MARKER = "schemaEvolutionMode=addNewColumns stored the evolved schema";
}
