package io.tributary.runtime.source;

import java.util.Optional;

/**
 * A record an Auto Loader source emitted made an operator chained to the source throw (a constraint
 * or a query expression such as {@code CAST(amount AS INT)} meeting {@code 'abc'}): the original
 * exception, as its cause, with where the record came from (file, line) and its values. The operators
 * downstream are the planner's generated code and cannot say which row they were given; the source's
 * reader emits each record and so sees the exception come back through its emit call. The engine turns
 * it into the user's message, naming the pipeline, dataset and expectations. Made only by
 * {@link AutoLoaderErrors}.
 *
 * <p>Not annotated non-recoverable: it wraps whatever the chained operators threw, and whether a retry
 * may help is the cause's to say.
 */
public final class SourceRowException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String sourceId;
  private final String file;
  private final String position;
  private final String row;

  SourceRowException(String message, String sourceId, String file, String position, String row, Throwable cause) {
    super(message, cause);
    this.sourceId = sourceId;
    this.file = file;
    this.position = position;
    this.row = row;
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

  /** The deepest message of {@code error}'s chain, past Flink's "Could not forward element" wrappers. */
  static String messageOf(Throwable error) {
    Throwable current = error;
    String message = null;
    while (current != null) {
      if (current.getMessage() != null && !current.getMessage().isBlank()
          && !(current instanceof org.apache.flink.streaming.runtime.tasks.ExceptionInChainedOperatorException)) {
        message = current.getMessage().strip();
      }
      current = current.getCause() == current ? null : current.getCause();
    }
    return message == null ? String.valueOf(error) : message;
  }
}
