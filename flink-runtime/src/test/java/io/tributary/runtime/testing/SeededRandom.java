package io.tributary.runtime.testing;

import java.security.SecureRandom;
import java.util.Random;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Random} per test whose seed is logged and named in the test's failure, so a failure that
 * depends on a random choice (where to inject a fault) can be replayed: run the test again with
 * {@code -Dtributary.test.seed=<seed>}. Without that property each test draws a new seed.
 *
 * <pre>{@code
 * @RegisterExtension final SeededRandom random = new SeededRandom();
 *
 * @Test
 * void aFailureAfterACheckpointYieldsTheExactTable() {
 *   failAfterRecords = random.get().nextLong(200, 800);
 *   …
 * }
 * }</pre>
 */
public final class SeededRandom implements BeforeEachCallback, TestExecutionExceptionHandler {

  /** The system property that fixes the seed of every test. */
  public static final String PROPERTY = "tributary.test.seed";

  private static final Logger LOG = LoggerFactory.getLogger(SeededRandom.class);

  private long seed;
  private Random random;

  /** This test's random numbers. */
  public Random get() {
    if (random == null) {
      throw new IllegalStateException(
          "No seed yet: register SeededRandom with @RegisterExtension and call get()"
              + " from a test or a @BeforeEach method");
    }
    return random;
  }

  /** This test's seed. */
  public long seed() {
    get();
    return seed;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    String fixed = System.getProperty(PROPERTY);
    seed =
        fixed != null && !fixed.isBlank()
            ? Long.parseLong(fixed.strip())
            : new SecureRandom().nextLong();
    random = new Random(seed);
    String line =
        context.getDisplayName()
            + " of "
            + context.getRequiredTestClass().getSimpleName()
            + " uses random seed "
            + seed
            + " (replay: -D"
            + PROPERTY
            + "="
            + seed
            + ")";
    LOG.info(line);
    System.out.println(line);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    if (random != null) {
      failure.addSuppressed(new ReplayWithSeed(seed));
    }
    throw failure;
  }

  /** Shown under a failed test's stack trace: the seed it ran with. */
  private static final class ReplayWithSeed extends Exception {
    ReplayWithSeed(long seed) {
      super(
          "the test ran with random seed " + seed + "; replay it with -D" + PROPERTY + "=" + seed,
          null,
          false,
          false);
    }
  }
}
