package io.tributary.runtime.testing;

import io.tributary.runtime.engine.EmbeddedCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded Flink cluster per test class, and fresh folders per test, for tests that run pipelines:
 * Tributary's {@code *ITCase} classes and the {@code PipelineTestDriver} of {@code tributary-test-driver}
 * (this package is published as {@code tributary-flink-runtime}'s test-jar for it). The cluster starts
 * before the class's first test and closes after its last; each test's folders are deleted after it.
 *
 * <p>Register it on a {@code static final} field (an instance field gets no cluster):
 *
 * <pre>{@code
 * class OrdersITCase {
 *   @RegisterExtension
 *   static final TributaryClusterExtension FLINK = new TributaryClusterExtension();
 *
 *   @Test
 *   void readsEachFileOnce() {
 *     Path input = FLINK.storage("orders");
 *     UpdateResult result = Tributary.pipeline(new Orders())
 *         .storage(FLINK.storage("storage").toString())
 *         .configuration(Map.of("source", input.toString()))
 *         .cluster(FLINK.cluster())
 *         .run();
 *     assertThat(result.state()).isEqualTo(UpdateState.COMPLETED);
 *   }
 * }
 * }</pre>
 */
public final class TributaryClusterExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private final int slots;
  private final Configuration flinkConf;
  private EmbeddedCluster cluster;
  private Path testFolder;

  /** A cluster of one task manager with 2 slots (what a test of parallelism 2 needs). */
  public TributaryClusterExtension() {
    this(2, new Configuration());
  }

  /** A cluster of one task manager with {@code slots} slots, started with {@code flinkConf}. */
  public TributaryClusterExtension(int slots, Configuration flinkConf) {
    if (slots < 1) {
      throw new IllegalArgumentException("slots must be at least 1, was " + slots);
    }
    this.slots = slots;
    this.flinkConf = new Configuration(Objects.requireNonNull(flinkConf, "flinkConf"));
  }

  /** The test class's cluster, for {@code Tributary.Builder.cluster} or to submit graphs directly. */
  public EmbeddedCluster cluster() {
    if (cluster == null) {
      throw new IllegalStateException(
          "No cluster: register TributaryClusterExtension with @RegisterExtension"
              + " on a static field, and call cluster() from a test or a @BeforeEach method");
    }
    return cluster;
  }

  /**
   * A new empty folder {@code name} of the running test (for a pipeline's storage, its input files, a
   * table), deleted after the test. Each name is made once per test.
   */
  public Path storage(String name) {
    Objects.requireNonNull(name, "name");
    if (testFolder == null) {
      throw new IllegalStateException(
          "storage(\""
              + name
              + "\") outside a test: call it from a test or a"
              + " @BeforeEach method");
    }
    Path folder = testFolder.resolve(name).normalize();
    if (!folder.startsWith(testFolder) || folder.equals(testFolder)) {
      throw new IllegalArgumentException(
          "storage name must be a relative folder name, was \"" + name + "\"");
    }
    if (Files.exists(folder)) {
      throw new IllegalStateException(
          "storage(\"" + name + "\") was already made in this test; use the path" + " it returned");
    }
    try {
      return Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + folder, e);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster = EmbeddedCluster.start(slots, flinkConf);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (cluster != null) {
      try {
        cluster.close();
      } finally {
        cluster = null;
      }
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    testFolder =
        Files.createTempDirectory("tributary-" + context.getRequiredTestMethod().getName() + "-")
            .toRealPath();
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    Path folder = testFolder;
    testFolder = null;
    if (folder != null && Files.exists(folder)) {
      try (Stream<Path> files = Files.walk(folder)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }
}
