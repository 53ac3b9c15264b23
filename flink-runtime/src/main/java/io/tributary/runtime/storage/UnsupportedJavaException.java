package io.tributary.runtime.storage;

/**
 * The Java this process runs on cannot run Hadoop's file system client, through which every access to
 * a pipeline's storage goes: Hadoop 3.4 asks {@code Subject.getSubject} for the current user, which Java
 * 23 and later no longer support by default (it throws {@link UnsupportedOperationException}; Java 23
 * alone still allows it with {@code -Djava.security.manager=allow}). Reported with the
 * Java versions to use instead, before anything is read or written; the CLI exits with code 2, as for
 * a wrong setup.
 */
public final class UnsupportedJavaException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private UnsupportedJavaException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * {@code failure}, thrown while opening the storage at {@code uri}, explained if it is Hadoop's call
   * that this Java no longer supports; otherwise {@code failure} itself.
   */
  static RuntimeException explain(String uri, UnsupportedOperationException failure) {
    StackTraceElement[] trace = failure.getStackTrace();
    boolean getSubject =
        trace.length > 0
            && trace[0].getClassName().equals("javax.security.auth.Subject")
            && trace[0].getMethodName().equals("getSubject");
    if (!getSubject) {
      return failure;
    }
    return new UnsupportedJavaException(
        "Cannot open the pipeline storage "
            + uri
            + " on Java "
            + Runtime.version().feature()
            + " ("
            + System.getProperty("java.home")
            + "): Hadoop's file system client, which Tributary reads and writes storage with, asks"
            + " Subject.getSubject for the current user, which Java 23 and later no longer support by"
            + " default. Run Tributary on Java 17 or 21, the versions it runs on with Flink 2.3 (for"
            + " bin/tributary, the first java on the PATH).",
        failure);
  }
}
