package io.tributary.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Runs one command as a fresh process tree and measures it as a user's shell would see it.
 *
 * <ul>
 *   <li>wall: {@code System.nanoTime()} around the process, from its start to its exit;
 *   <li>CPU: user + system seconds from GNU {@code /usr/bin/time -f}, i.e. {@code wait4}'s rusage of its
 *       child, which the kernel sums over every descendant that its parent waited for (the launcher
 *       shells, the JVM that {@code exec} replaces them with, and any short-lived helper they wait for):
 *       exact for the tree;
 *   <li>peak RSS: {@code /usr/bin/time}'s {@code %M}, the largest resident set of any one process of
 *       the tree (the kernel keeps the high-water mark across {@code exec}); and, to check that the
 *       tree is one JVM at a time, the sum of {@code VmRSS} over the tree's live processes sampled from
 *       {@code /proc} every {@value #SAMPLE_MS} ms, leaving out a child that still runs its parent's
 *       program (a fork or vfork not yet exec'd, whose pages are its parent's), with the processes seen.
 *       Sampling can miss a peak shorter than its period.
 * </ul>
 *
 * @param exitCode the command's exit status
 * @param output what it printed (stdout and stderr, interleaved)
 * @param treeRssPeakKb the largest sampled sum of VmRSS over the tree's live processes (forks not yet exec'd left out)
 * @param processes the distinct command names seen in the tree (time's own process excluded)
 */
record ProcessMeasure(
    double wallSeconds,
    double userSeconds,
    double systemSeconds,
    long maxRssKb,
    long treeRssPeakKb,
    int maxLiveProcesses,
    Set<String> processes,
    int exitCode,
    String output) {

  static final int SAMPLE_MS = 50;
  static final Path GNU_TIME = Path.of("/usr/bin/time");

  ProcessMeasure {
    processes = Set.copyOf(processes);
  }

  double cpuSeconds() {
    return userSeconds + systemSeconds;
  }

  /**
   * Runs {@code command} under {@code /usr/bin/time} with {@code env} added to this JVM's environment,
   * writing its output to {@code log} as well.
   */
  static ProcessMeasure run(List<String> command, Map<String, String> env, Path workDir, Path log) {
    if (!Files.isExecutable(GNU_TIME)) {
      throw new IllegalStateException(
          "The whole-process mode needs GNU time at "
              + GNU_TIME
              + " to account the CPU of a process tree; install it (Debian: apt-get install time).");
    }
    try {
      Files.createDirectories(log.getParent());
      Path timeFile = log.resolveSibling(log.getFileName() + ".time");
      List<String> full =
          new ArrayList<>(
              List.of(GNU_TIME.toString(), "-f", "%e %U %S %M", "-o", timeFile.toString()));
      full.addAll(command);
      ProcessBuilder builder =
          new ProcessBuilder(full)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().putAll(env);
      long start = System.nanoTime();
      Process process = builder.start();
      AtomicLong peak = new AtomicLong();
      AtomicLong maxLive = new AtomicLong();
      Set<String> seen = new TreeSet<>();
      Thread sampler =
          new Thread(
              () -> {
                while (process.isAlive()) {
                  List<ProcessHandle> tree = process.descendants().toList();
                  long sum = 0;
                  int live = 0;
                  for (ProcessHandle h : tree) {
                    long rss = vmRssKb(h.pid());
                    if (rss < 0) {
                      continue;
                    }
                    live++;
                    java.util.Optional<String> program = h.info().command();
                    program.ifPresent(
                        c -> {
                          synchronized (seen) {
                            seen.add(Path.of(c).getFileName().toString());
                          }
                        });
                    // a child that runs its parent's program is a fork or vfork not yet exec'd (how
                    // bash and the
                    // JDK start programs): its pages are its parent's, so it is not counted twice
                    boolean forkOfParent =
                        program.isPresent()
                            && h.parent().flatMap(p -> p.info().command()).equals(program);
                    if (!forkOfParent) {
                      sum += rss;
                    }
                  }
                  peak.accumulateAndGet(sum, Math::max);
                  maxLive.accumulateAndGet(live, Math::max);
                  try {
                    Thread.sleep(SAMPLE_MS);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "rss-sampler");
      sampler.setDaemon(true);
      sampler.start();
      // when bench itself is stopped, the measured processes go with it
      Thread reaper =
          new Thread(
              () -> {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
              },
              "process-reaper");
      Runtime.getRuntime().addShutdownHook(reaper);
      int exit = process.waitFor();
      Runtime.getRuntime().removeShutdownHook(reaper);
      double wall = Bench.seconds(start);
      sampler.interrupt();
      sampler.join();
      String output = Files.readString(log, StandardCharsets.UTF_8);
      List<String> timeLines = Files.readAllLines(timeFile, StandardCharsets.UTF_8);
      // GNU time prints "Command exited with non-zero status N" before the format line when N != 0
      String[] f = timeLines.get(timeLines.size() - 1).trim().split("\\s+");
      if (f.length != 4) {
        throw new IllegalStateException(
            "Cannot read GNU time's output in " + timeFile + ": " + timeLines);
      }
      synchronized (seen) {
        return new ProcessMeasure(
            wall,
            Double.parseDouble(f[1]),
            Double.parseDouble(f[2]),
            Long.parseLong(f[3]),
            peak.get(),
            (int) maxLive.get(),
            seen,
            exit,
            output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while " + String.join(" ", command) + " ran", e);
    }
  }

  /** VmRSS of {@code pid} in kB, or -1 when it is gone (or a zombie without memory). */
  private static long vmRssKb(long pid) {
    try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
      return lines
          .filter(l -> l.startsWith("VmRSS:"))
          .findFirst()
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
          .orElse(-1L);
    } catch (IOException | UncheckedIOException | NumberFormatException e) {
      return -1;
    }
  }
}
