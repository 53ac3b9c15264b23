package io.tributary.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Which failures of opening the storage are explained as a Java too new for Hadoop: only the one thrown
 * by {@code Subject.getSubject}. Any other {@link UnsupportedOperationException} (a file system without
 * some operation) stays what it is. The whole path, on a real Java 25, is {@code LauncherJavaVersionIT}'s.
 */
class UnsupportedJavaExceptionTest {

  @Test
  void theGetSubjectFailureNamesTheStorageTheJavaAndTheVersionsToUse() {
    UnsupportedOperationException failure = thrownBy("javax.security.auth.Subject", "getSubject");

    RuntimeException explained =
        UnsupportedJavaException.explain("hdfs://nn/pipelines/shop", failure);

    assertThat(explained)
        .isInstanceOf(UnsupportedJavaException.class)
        .hasCause(failure)
        .hasMessageStartingWith(
            "Cannot open the pipeline storage hdfs://nn/pipelines/shop on Java "
                + Runtime.version().feature())
        .hasMessageContaining(System.getProperty("java.home"))
        .hasMessageContaining("Run Tributary on Java 17 or 21");
  }

  @Test
  void anyOtherUnsupportedOperationIsLeftAsItIs() {
    UnsupportedOperationException failure =
        thrownBy("org.apache.hadoop.fs.FileSystem", "getSubject");

    assertThat(UnsupportedJavaException.explain("/data/shop", failure)).isSameAs(failure);
    UnsupportedOperationException elsewhere = new UnsupportedOperationException();
    assertThat(UnsupportedJavaException.explain("/data/shop", elsewhere))
        .as("thrown anywhere else")
        .isSameAs(elsewhere);
  }

  private static UnsupportedOperationException thrownBy(String className, String method) {
    UnsupportedOperationException failure = new UnsupportedOperationException("not supported");
    failure.setStackTrace(
        new StackTraceElement[] {
          new StackTraceElement(className, method, null, -1),
          new StackTraceElement(
              "org.apache.hadoop.security.UserGroupInformation", "getCurrentUser", null, 1)
        });
    return failure;
  }
}
