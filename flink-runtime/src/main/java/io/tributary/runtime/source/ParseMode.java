package io.tributary.runtime.source;

import java.util.Locale;

/**
 * What a record that cannot be read does, Auto Loader's (and Spark's) {@code mode} option. A record
 * cannot be read when its line is not valid JSON or CSV, or when a value does not fit its column's type.
 */
public enum ParseMode {
  /**
   * Keep the record: what does not fit goes to the rescued data column when the source has one;
   * without one, the fields that cannot be read are NULL (a malformed line is a row of NULLs). The default.
   */
  PERMISSIVE,
  /**
   * Drop a record whose line is malformed, or (without a rescued data column) one with a value that does
   * not fit; each dropped record is logged with its file and line, and counted per file.
   */
  DROPMALFORMED,
  /** Stop at the first record that cannot be read, naming its file and line. */
  FAILFAST;

  /** The mode named {@code text} in any case, or null. */
  static ParseMode parse(String text) {
    for (ParseMode mode : values()) {
      if (mode.name().equals(text.toUpperCase(Locale.ROOT))) {
        return mode;
      }
    }
    return null;
  }
}
