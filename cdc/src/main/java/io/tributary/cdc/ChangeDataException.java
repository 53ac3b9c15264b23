package io.tributary.cdc;

/**
 * A change in the feed cannot be applied (for example its sequence value is NULL). This is a fault of
 * the data, not of Tributary: the message names the target, the row, and how to fix the source.
 */
public final class ChangeDataException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  ChangeDataException(String message) {
    super(message);
  }
}
