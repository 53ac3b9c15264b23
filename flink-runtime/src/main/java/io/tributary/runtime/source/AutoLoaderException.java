package io.tributary.runtime.source;

/**
 * The Auto Loader source cannot go on because of its input or its definition: the user must change
 * the files, the schema or an option. Every message names where (source, file, line), what went
 * wrong, why, and the fix. Instances are made only by {@link AutoLoaderErrors}.
 */
public final class AutoLoaderException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  AutoLoaderException(String message) {
    super(message);
  }

  AutoLoaderException(String message, Throwable cause) {
    super(message, cause);
  }
}
