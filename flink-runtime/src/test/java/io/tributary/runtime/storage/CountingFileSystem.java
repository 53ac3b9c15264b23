package io.tributary.runtime.storage;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local disk under the scheme {@value #SCHEME}, known to Hadoop only where a configuration sets
 * {@code fs.counting.impl} (and {@code fs.AbstractFileSystem.counting.impl} for {@code FileContext}),
 * so a bare {@code new Configuration()} cannot open it. Every use is counted by the {@value #ORIGIN}
 * setting of the configuration that made the instance and by the thread that used it, so a test
 * sees which component opened storage through which settings.
 */
public class CountingFileSystem extends RawLocalFileSystem {

  public static final String SCHEME = "counting";

  /** A setting naming where the configuration came from (the pipeline's settings, Flink's fallback). */
  public static final String ORIGIN = "counting.origin";

  private static final Map<String, Set<String>> THREADS = new ConcurrentHashMap<>();
  private static final AtomicLong USES = new AtomicLong();

  // an authority, since Flink's Hadoop fallback refuses a URI without one
  private static final URI ROOT = URI.create(SCHEME + "://local/");

  private String origin = "unset";

  /** The settings that make {@value #SCHEME} work, marked as coming from {@code origin}. */
  public static Map<String, String> settings(String origin) {
    return Map.of(
        "fs." + SCHEME + ".impl",
        CountingFileSystem.class.getName(),
        "fs." + SCHEME + ".impl.disable.cache",
        "true", // a cached instance would hide a bare configuration
        "fs.AbstractFileSystem." + SCHEME + ".impl",
        Fs.class.getName(),
        ORIGIN,
        origin);
  }

  /** Threads that used an instance made from settings of {@code origin}. */
  public static Set<String> threads(String origin) {
    return Set.copyOf(THREADS.getOrDefault(origin, Set.of()));
  }

  public static long uses() {
    return USES.get();
  }

  public static void reset() {
    THREADS.clear();
    USES.set(0);
  }

  @Override
  public void initialize(URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    origin = conf.get(ORIGIN, "unset");
  }

  @Override
  public URI getUri() {
    return ROOT;
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  private void used() {
    USES.incrementAndGet();
    THREADS
        .computeIfAbsent(origin, o -> ConcurrentHashMap.newKeySet())
        .add(Thread.currentThread().getName());
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    used();
    return super.open(f, bufferSize);
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    used();
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    used();
    return super.listStatus(f);
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    used();
    return super.getFileStatus(f);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    used();
    return super.rename(src, dst);
  }

  @Override
  public boolean delete(Path p, boolean recursive) throws IOException {
    used();
    return super.delete(p, recursive);
  }

  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    used();
    return super.mkdirs(f, permission);
  }

  /** The same file system for {@code FileContext}. */
  public static final class Fs extends DelegateToFileSystem {
    public Fs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new CountingFileSystem(), conf, SCHEME, false);
    }
  }

  /** {@code counting://local/abs/path} for a local absolute path. */
  public static String uri(java.nio.file.Path local) {
    if (!local.isAbsolute()) {
      throw new IllegalArgumentException("not absolute: " + local);
    }
    return SCHEME + "://local" + local.toUri().getPath();
  }
}
