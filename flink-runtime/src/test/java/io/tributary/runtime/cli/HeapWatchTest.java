package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.cli.HeapWatch.Sample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When {@code tributary start} says the jobs' state no longer fits in its heap. */
class HeapWatchTest {

  private static final long GIB = 1L << 30;

  @TempDir Path dir;

  @Test
  void aWindowSpentMostlyCollectingIsNoticedWithHowFullTheHeapIsAndTheWayOut() {
    Sample before = new Sample(0, 1_000, GIB, 2 * GIB);
    Sample after = new Sample(10_000, 7_000, 1_900 * (GIB / 1000), 2 * GIB);

    assertThat(HeapWatch.assess(before, after))
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .startsWith(
                        "Warning: this process spent 60 % of the last 10 s collecting garbage")
                    .contains(
                        "its old generation 95 % full after a collection (1.9 GiB of 2.0 GiB)")
                    .contains("TRIBUTARY_JAVA_OPTS=-Xmx")
                    .contains("state.backend.type: rocksdb"));
  }

  @Test
  void lessThanHalfAWindowInCollectionsOrAnEmptyWindowIsNothingToSay() {
    Sample before = new Sample(0, 0, GIB, 2 * GIB);
    assertThat(HeapWatch.assess(before, new Sample(10_000, 4_999, 2 * GIB - 1, 2 * GIB))).isEmpty();
    assertThat(HeapWatch.assess(before, new Sample(0, 0, 2 * GIB, 2 * GIB))).isEmpty();
    assertThat(HeapWatch.assess(before, new Sample(10_000, 5_000, -1, -1)))
        .hasValueSatisfying(message -> assertThat(message).doesNotContain("old generation"));
  }

  @Test
  void pressureThatLastsIsNoticedOncePerMinuteNotAtEveryWindow() throws Exception {
    // ten-second windows: 150 s under pressure, then calm
    AtomicInteger calls = new AtomicInteger();
    List<String> notices = new CopyOnWriteArrayList<>();
    try (HeapWatch watch =
        HeapWatch.start(
            notices::add,
            Duration.ofMillis(5),
            () -> {
              int call = calls.getAndIncrement();
              long wall = call * 10_000L;
              long collecting = Math.min(call, 15) * 9_000L;
              return new Sample(wall, collecting, 2 * GIB - 1, 2 * GIB);
            })) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (calls.get() < 25 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    }
    assertThat(calls.get()).isGreaterThanOrEqualTo(25);
    // windows ending at 10 s … 150 s are under pressure: noticed at 10, 70 and 130 s
    assertThat(notices).hasSize(3).allSatisfy(n -> assertThat(n).contains("90 %"));
  }

  @Test
  void aRealJvmWhoseHeapIsFullOfLiveDataIsNoticed() throws Exception {
    Path out = dir.resolve("stdout");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m",
                "-XX:+UseParallelGC",
                "-cp",
                System.getProperty("java.class.path"),
                FullHeap.class.getName()));
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child ended").isTrue();
    String printed = read(out);
    assertThat(printed)
        .as(printed)
        .contains("Warning: this process spent")
        .contains("old generation")
        .contains("state.backend.type: rocksdb");
    assertThat(process.exitValue()).as(printed).isZero();
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /**
   * Keeps its old generation about 85 % full of live data and replaces that data piece by piece, as
   * keyed state that is updated does: each replaced piece dies in the old generation, which only a
   * full collection frees.
   */
  public static final class FullHeap {
    public static void main(String[] args) throws Exception {
      List<String> notices = new CopyOnWriteArrayList<>();
      List<byte[]> live = new ArrayList<>();
      try (HeapWatch watch =
          HeapWatch.start(
              notice -> {
                notices.add(notice);
                System.out.println(notice);
              },
              Duration.ofMillis(500),
              Sample::now)) {
        // whatever the class path's libraries hold already, add live data until the old
        // generation is that full after a collection
        Sample sample = Sample.now();
        while (sample.oldUsedAfterCollection() < sample.oldMax() * 0.85) {
          live.add(new byte[64 * 1024]);
          if (live.size() % 16 == 0) {
            System.gc();
            sample = Sample.now();
          }
        }
        java.util.Random random = new java.util.Random(42);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (notices.isEmpty() && System.nanoTime() < deadline) {
          live.set(random.nextInt(live.size()), new byte[64 * 1024]);
        }
        System.out.println("live arrays " + live.size());
      }
    }
  }
}
