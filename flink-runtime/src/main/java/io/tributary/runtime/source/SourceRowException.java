package io.tributary.runtime.source;

import java.util.Optional;
import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * A record an Auto Loader source (or a Delta table's stream source, {@link #ofDeltaRow}) emitted made
 * an operator chained to the source throw (a constraint
 * or a query expression such as {@code CAST(amount AS INT)} meeting {@code 'abc'}): the original
 * exception, as its cause, with where the record came from (file, line) and its values. The operators
 * downstream are the planner's generated code and cannot say which row they were given; the source's
 * reader emits each record and so sees the exception come back through its emit call. The engine turns
 * it into the user's message, naming the pipeline, dataset and expectations. Made only by
 * {@link AutoLoaderErrors}.
 *
 * <p>Non-recoverable: it is made only for what {@link #thrownByThePlannersCode} recognises, an
 * expression failing on the record's values, which fails the same way on every attempt. Flink then
 * fails the job at once instead of restarting it (its classifier finds the annotation anywhere in the
 * cause chain, on the JobMaster, which reads the task's failure with the job's class loader), and
 * {@code JobErrors.isRetryable} does not run the flow again. Anything else the chained operators
 * throw (an I/O error, a cancel) is not wrapped, and stays recoverable.
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public final class SourceRowException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String sourceId;
  private final String file;
  private final String position;
  private final String row;

  SourceRowException(
      String message, String sourceId, String file, String position, String row, Throwable cause) {
    super(message, cause);
    this.sourceId = sourceId;
    this.file = file;
    this.position = position;
    this.row = row;
  }

  /**
   * {@code error}, thrown by an operator chained to a Delta table's stream source while it took the
   * {@code record}-th row (from 1) it read of data file {@code file} of table {@code table} at version
   * {@code version}, as a SourceRowException naming them and the row's values, when the planner's code
   * threw it ({@link #thrownByThePlannersCode}); otherwise {@code error} itself. Called on the failure
   * path only.
   */
  public static RuntimeException ofDeltaRow(
      RuntimeException error,
      String sourceId,
      String table,
      long version,
      String file,
      long record,
      RowData row,
      RowType type) {
    if (!thrownByThePlannersCode(error)) {
      return error;
    }
    String values = RowText.of(row, type);
    String position = "record " + record + " of Delta table " + table + " at version " + version;
    return new SourceRowException(
        "Delta source '"
            + sourceId
            + "': the row at "
            + position
            + " (file "
            + file
            + ") failed in an operator after the source: "
            + messageOf(error).replaceAll("\\.$", "")
            + ". The row: "
            + values
            + ".",
        sourceId,
        file,
        position,
        values,
        error);
  }

  /** The uid of the source that read the record: {@code <dataset>-source[-<generation>]}. */
  public String sourceId() {
    return sourceId;
  }

  /** The file the record was read from. */
  public String file() {
    return file;
  }

  /** Where in the file: {@code line N} (JSON, CSV, text) or {@code record N} (Parquet), when known. */
  public Optional<String> position() {
    return position.isEmpty() ? Optional.empty() : Optional.of(position);
  }

  /** The record's values as the source produced them, long values cut: {@code {order_id=o3, amount=abc}}. */
  public String row() {
    return row;
  }

  /** The message of the exception the record caused, without Flink's wrappers. */
  public String causeMessage() {
    return messageOf(getCause());
  }

  /**
   * Whether {@code error} is an expression of the planner's code failing on a value: thrown where the
   * deepest cause's stack leaves the JDK, by Flink's Table runtime ({@code org.apache.flink.table.*},
   * such as a CAST of {@code 'abc'} to INT) or by the planner's generated classes (which have no
   * package), and no cause is Flink's cancellation, an interrupt, an I/O failure (a sink's write) or one
   * of Tributary's own errors, which say what they are about. A failure from a cluster may arrive as
   * Flink's {@code SerializedThrowable}, which keeps the original's class name and stack.
   */
  public static boolean thrownByThePlannersCode(Throwable error) {
    Throwable deepest = error;
    for (Throwable cause = error;
        cause != null;
        cause = cause.getCause() == cause ? null : cause.getCause()) {
      String name =
          cause instanceof org.apache.flink.util.SerializedThrowable serialized
              ? serialized.getOriginalErrorClassName()
              : cause.getClass().getName();
      if (cause instanceof InterruptedException
          || cause instanceof java.io.InterruptedIOException
          || cause instanceof java.nio.channels.ClosedByInterruptException
          || cause instanceof org.apache.flink.runtime.execution.CancelTaskException
          || cause instanceof java.io.IOException
          || cause instanceof java.io.UncheckedIOException
          || name.startsWith("io.tributary.")
          || name.startsWith("java.io.")
          || name.equals("org.apache.flink.runtime.execution.CancelTaskException")) {
        return false;
      }
      deepest = cause;
    }
    for (StackTraceElement frame : deepest.getStackTrace()) {
      String type = frame.getClassName();
      if (type.startsWith("java.")
          || type.startsWith("javax.")
          || type.startsWith("jdk.")
          || type.startsWith("sun.")
          || type.startsWith("com.sun.")) {
        continue;
      }
      return type.startsWith("org.apache.flink.table.") || type.indexOf('.') < 0;
    }
    return false;
  }

  /** The deepest message of {@code error}'s chain, past Flink's "Could not forward element" wrappers. */
  public static String messageOf(Throwable error) {
    Throwable current = error;
    String message = null;
    while (current != null) {
      if (current.getMessage() != null
          && !current.getMessage().isBlank()
          && !(current
              instanceof
              org.apache.flink.streaming.runtime.tasks.ExceptionInChainedOperatorException)) {
        message = current.getMessage().strip();
      }
      current = current.getCause() == current ? null : current.getCause();
    }
    return message == null ? String.valueOf(error) : message;
  }
}
