package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.runtime.testing.Await;
import io.tributary.runtime.testing.SeededRandom;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The waits and the seeded random of {@code io.tributary.runtime.testing}, without a cluster. */
class TestingSupportTest {

  @AfterEach
  void clearSeed() {
    System.clearProperty(SeededRandom.PROPERTY);
  }

  @Test
  void untilFailsAtItsDeadlineNamingWhatItAwaited() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    Await.until("three checks", Duration.ofSeconds(5), () -> checks.incrementAndGet() == 3);
    assertThat(checks).hasValue(3);

    assertThatThrownBy(
            () -> Await.until("rows that never come", Duration.ofMillis(50), () -> false))
        .isInstanceOf(AssertionError.class)
        .hasMessage("Timed out after PT0.05S waiting for rows that never come");
  }

  @Test
  void retryingRetriesOnlyWhatItIsToldToAndSurfacesTheRest() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    String value =
        Await.retrying(
            "a savepoint",
            Duration.ofSeconds(5),
            Await.messageContains("not running yet"),
            () -> {
              if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException(
                    "wrapped", new IOException("tasks not running yet"));
              }
              return "done";
            });
    assertThat(value).isEqualTo("done");
    assertThat(calls).hasValue(3);

    calls.set(0);
    assertThatThrownBy(
            () ->
                Await.retrying(
                    "a savepoint",
                    Duration.ofSeconds(5),
                    Await.messageContains("not running yet"),
                    () -> {
                      calls.incrementAndGet();
                      throw new IOException("disk full");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("disk full");
    assertThat(calls).as("an unexpected exception is not retried").hasValue(1);

    assertThatThrownBy(
            () ->
                Await.retrying(
                    "a savepoint",
                    Duration.ofMillis(50),
                    Await.messageContains("not running yet"),
                    () -> {
                      throw new IOException("tasks not running yet");
                    }))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "Timed out after PT0.05S retrying a savepoint; last failure: java.io.IOException: tasks not"
                + " running yet")
        .cause()
        .hasMessage("tasks not running yet");
  }

  @Test
  void aSeedFromThePropertyReplaysAndAFailureNamesIt() throws Throwable {
    SeededRandom seeded = new SeededRandom();
    assertThatThrownBy(seeded::get).isInstanceOf(IllegalStateException.class);
    System.setProperty(SeededRandom.PROPERTY, "42");

    seeded.beforeEach(context());

    assertThat(seeded.seed()).isEqualTo(42);
    assertThat(seeded.get().nextLong(200, 800)).isEqualTo(new Random(42).nextLong(200, 800));
    AssertionError failure = new AssertionError("rows differ");
    assertThatThrownBy(() -> seeded.handleTestExecutionException(context(), failure))
        .isSameAs(failure);
    assertThat(failure.getSuppressed())
        .singleElement()
        .extracting(Throwable::getMessage)
        .isEqualTo("the test ran with random seed 42; replay it with -Dtributary.test.seed=42");
  }

  @Test
  void withoutThePropertyEachTestDrawsAFreshSeed() {
    SeededRandom first = new SeededRandom();
    SeededRandom second = new SeededRandom();
    first.beforeEach(context());
    second.beforeEach(context());
    assertThat(first.seed()).isNotEqualTo(second.seed());
  }

  private static ExtensionContext context() {
    return (ExtensionContext)
        Proxy.newProxyInstance(
            ExtensionContext.class.getClassLoader(),
            new Class<?>[] {ExtensionContext.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getDisplayName" -> "aTest()";
                  case "getRequiredTestClass" -> TestingSupportTest.class;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
