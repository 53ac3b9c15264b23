package io.tributary.runtime.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The files an Auto Loader source has taken in, kept compact: an immutable snapshot that goes into
 * every checkpoint. It replaces a plain set of paths (Flink's {@code FileSource} keeps one, ~60 bytes a
 * file, that grows without bound and is copied at every checkpoint).
 *
 * <p>Two parts. {@code recent}: the files taken in since the last compaction, path to modification
 * time. {@code log}: a compacted log of all older ones, sorted by path, each path stored as the length
 * of the prefix it shares with the previous one plus the rest, each modification time as the difference
 * to the previous one, the whole deflated; it is rebuilt only when {@code recent} reaches
 * {@link #COMPACT_AT} entries, and otherwise copied into checkpoints as it is. Membership is by path,
 * whatever the modification time, so a file that lands late with an old modification time is still
 * read once, and a processed file that is later changed is not read again.
 *
 * <p>The limit: without {@code maxFileAge} the log keeps every path, a few bytes each (the benchmark
 * {@code DiscoveryStateBench} measures it). With {@code maxFileAge} the state is bounded: the
 * <em>low-water mark</em> {@code expiredBefore} is the newest modification time taken in minus
 * {@code maxFileAge}; compaction drops files older than the mark, and a listed file older than the
 * mark that is not remembered is not read (the enumerator logs and counts it), as Auto Loader's
 * {@code cloudFiles.maxFileAge}. So a file that arrives more than {@code maxFileAge} after its
 * modification time is skipped, never read twice.
 *
 * @param expiredBefore the low-water mark: files modified before it are ignored; {@link Long#MIN_VALUE} when
 *     nothing expires
 * @param newestModificationTime the newest modification time taken in, {@link Long#MIN_VALUE} when none
 * @param logCount number of files in the compacted log
 * @param log the compacted log (never modified; shared between snapshots)
 * @param recent files taken in since the last compaction, path to modification time ({@link #UNKNOWN_TIME}
 *     when restored from a version 1 state)
 */
public record ProcessedFiles(
    long expiredBefore,
    long newestModificationTime,
    int logCount,
    byte[] log,
    Map<String, Long> recent) {

  /** {@code recent} is folded into the log when it has this many files. */
  static final int COMPACT_AT = 4096;

  /** The modification time of a file known only by path (restored from a version 1 state). */
  static final long UNKNOWN_TIME = Long.MIN_VALUE;

  private static final ProcessedFiles EMPTY =
      new ProcessedFiles(Long.MIN_VALUE, Long.MIN_VALUE, 0, new byte[0], Map.of());

  public ProcessedFiles {
    Objects.requireNonNull(log, "log");
    recent = Collections.unmodifiableMap(new HashMap<>(recent));
    if (logCount < 0 || (logCount == 0) != (log.length == 0)) {
      throw new IllegalArgumentException(
          "log of " + log.length + " bytes cannot hold " + logCount + " files");
    }
  }

  /** No files taken in. */
  public static ProcessedFiles empty() {
    return EMPTY;
  }

  /** Files known only by path (a version 1 state); they are compacted like any others. */
  static ProcessedFiles ofPaths(Set<String> paths) {
    Map<String, Long> recent = new HashMap<>();
    paths.forEach(path -> recent.put(path, UNKNOWN_TIME));
    return new ProcessedFiles(Long.MIN_VALUE, Long.MIN_VALUE, 0, new byte[0], recent);
  }

  /** The number of files remembered. */
  public int size() {
    return logCount + recent.size();
  }

  /** Every remembered path (decodes the log: for tests and tools, not the hot path). */
  public Set<String> paths() {
    Set<String> paths = new HashSet<>(recent.keySet());
    decode(log, logCount, (path, time) -> paths.add(path));
    return paths;
  }

  /** Visits every (path, modification time) of the compacted log in path order. */
  static void decode(byte[] log, int count, BiConsumer<String, Long> visitor) {
    if (count == 0) {
      return;
    }
    byte[] raw = inflate(log);
    int[] position = {0};
    byte[] previous = new byte[0];
    long time = 0;
    for (int i = 0; i < count; i++) {
      int shared = (int) readVarLong(raw, position);
      int rest = (int) readVarLong(raw, position);
      byte[] path = Arrays.copyOf(previous, shared + rest);
      System.arraycopy(raw, position[0], path, shared, rest);
      position[0] += rest;
      time += zigzagDecode(readVarLong(raw, position));
      visitor.accept(new String(path, StandardCharsets.UTF_8), time);
      previous = path;
    }
  }

  /** Encodes {@code files} (path to modification time) as a compacted log. */
  static byte[] encode(TreeMap<String, Long> files) {
    if (files.isEmpty()) {
      return new byte[0];
    }
    ByteArrayOutputStream raw = new ByteArrayOutputStream(files.size() * 12);
    byte[] previous = new byte[0];
    long previousTime = 0;
    for (Map.Entry<String, Long> file : files.entrySet()) {
      byte[] path = file.getKey().getBytes(StandardCharsets.UTF_8);
      int shared = 0;
      int max = Math.min(previous.length, path.length);
      while (shared < max && previous[shared] == path[shared]) {
        shared++;
      }
      writeVarLong(raw, shared);
      writeVarLong(raw, path.length - shared);
      raw.write(path, shared, path.length - shared);
      writeVarLong(raw, zigzagEncode(file.getValue() - previousTime));
      previous = path;
      previousTime = file.getValue();
    }
    return deflate(raw.toByteArray());
  }

  private static byte[] deflate(byte[] raw) {
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      deflater.setInput(raw);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, raw.length / 4));
      byte[] buffer = new byte[64 * 1024];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private static byte[] inflate(byte[] compressed) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(compressed);
      ByteArrayOutputStream out = new ByteArrayOutputStream(compressed.length * 4);
      byte[] buffer = new byte[64 * 1024];
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new UncheckedIOException(new IOException("the processed-files log is truncated"));
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new UncheckedIOException(
          new IOException("the processed-files log is corrupt: " + e.getMessage(), e));
    } finally {
      inflater.end();
    }
  }

  private static void writeVarLong(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  private static long readVarLong(byte[] in, int[] position) {
    long value = 0;
    int shift = 0;
    while (true) {
      byte b = in[position[0]++];
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
      shift += 7;
    }
  }

  private static long zigzagEncode(long value) {
    return (value << 1) ^ (value >> 63);
  }

  private static long zigzagDecode(long value) {
    return (value >>> 1) ^ -(value & 1);
  }
}
