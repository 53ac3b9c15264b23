package io.tributary.runtime.testing;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local disk under the scheme {@value #SCHEME}, with the faults a real storage has and a test
 * cannot make otherwise (tests may run as root, for whom {@code chmod} stops nothing, and mounting a
 * small tmpfs needs privileges a CI runner lacks):
 * <ul>
 *   <li>{@link #refuseWrites}: a folder that is not writable; creating, renaming into, deleting or
 *       making a folder under it fails as the local disk fails for a folder without write permission
 *       ({@link AccessDeniedException}, "Permission denied");</li>
 *   <li>{@link #fillUpAfter}: a disk that fills up; once that many more bytes are written under the
 *       folder, every write fails with "No space left on device", as {@code write(2)} does with
 *       {@code ENOSPC}.</li>
 * </ul>
 * The faults are this JVM's (an embedded cluster's tasks run in it). An instance also refuses to open
 * unless the configuration's {@value #PASSWORD} hashes to its {@value #PASSWORD_SHA256}: storage on
 * this scheme works only if the real value of a secret setting reached every component that opens it.
 */
public class GuardedFileSystem extends RawLocalFileSystem {

  public static final String SCHEME = "guarded";

  /** A secret setting the file system needs, named as credentials are. */
  public static final String PASSWORD = "fs.guarded.password";

  /** The SHA-256 of {@value #PASSWORD} (hex): how the file system checks it without knowing it. */
  public static final String PASSWORD_SHA256 = "fs.guarded.password-sha256";

  private static final URI ROOT = URI.create(SCHEME + "://local/");

  private record Fault(String folder, boolean readOnly, AtomicLong bytesLeft) {
    boolean covers(Path path) {
      String p = path.toUri().getPath();
      return p.equals(folder) || p.startsWith(folder.endsWith("/") ? folder : folder + "/");
    }
  }

  private static final AtomicReference<Fault> FAULT = new AtomicReference<>();
  private static final AtomicLong REFUSED = new AtomicLong();

  /** The settings that make {@value #SCHEME} work, for a file system whose password is {@code password}. */
  public static Map<String, String> settings(String password) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("fs." + SCHEME + ".impl", GuardedFileSystem.class.getName());
    settings.put("fs." + SCHEME + ".impl.disable.cache", "true");
    settings.put("fs.AbstractFileSystem." + SCHEME + ".impl", Fs.class.getName());
    settings.put(PASSWORD, password);
    settings.put(PASSWORD_SHA256, sha256(password));
    return settings;
  }

  /** {@code guarded://local/abs/path} for a local absolute path. */
  public static String uri(java.nio.file.Path local) {
    if (!local.isAbsolute()) {
      throw new IllegalArgumentException("not absolute: " + local);
    }
    return SCHEME + "://local" + local.toUri().getPath();
  }

  /** From now on, nothing under {@code folder} (a local absolute path) can be written. */
  public static void refuseWrites(java.nio.file.Path folder) {
    FAULT.set(new Fault(folder.toUri().getPath(), true, new AtomicLong(Long.MAX_VALUE)));
  }

  /** From now on, {@code bytes} more bytes fit under {@code folder}; then its disk is full. */
  public static void fillUpAfter(java.nio.file.Path folder, long bytes) {
    FAULT.set(new Fault(folder.toUri().getPath(), false, new AtomicLong(bytes)));
  }

  /** How many writes a fault has refused since this JVM started: a test's proof that its fault was met. */
  public static long refusedWrites() {
    return REFUSED.get();
  }

  /** Removes the fault: the folder is writable again, the disk has room. */
  public static void repair() {
    FAULT.set(null);
  }

  static String sha256(String value) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void initialize(URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    String expected = conf.get(PASSWORD_SHA256);
    String password = conf.get(PASSWORD);
    if (expected == null || password == null || !expected.equals(sha256(password))) {
      throw new IOException(
          "guarded file system: "
              + PASSWORD
              + (password == null ? " is not set" : " is wrong")
              + " in this configuration");
    }
  }

  @Override
  public URI getUri() {
    return ROOT;
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  private static Optional<Fault> faultAt(Path path) {
    Fault fault = FAULT.get();
    return fault != null && fault.covers(path) ? Optional.of(fault) : Optional.empty();
  }

  private static void checkWritable(Path path) throws IOException {
    Optional<Fault> fault = faultAt(path);
    if (fault.isPresent() && fault.get().readOnly()) {
      REFUSED.incrementAndGet();
      throw new AccessDeniedException(path.toUri().getPath(), null, "Permission denied");
    }
    if (fault.isPresent() && fault.get().bytesLeft().get() <= 0) {
      REFUSED.incrementAndGet();
      throw new IOException("No space left on device");
    }
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
    checkWritable(f);
    FSDataOutputStream out =
        super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
    return out;
  }

  @Override
  public FSDataOutputStream createNonRecursive(
      Path f,
      FsPermission permission,
      java.util.EnumSet<org.apache.hadoop.fs.CreateFlag> flags,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    checkWritable(f);
    FSDataOutputStream out =
        super.createNonRecursive(
            f, permission, flags, bufferSize, replication, blockSize, progress);
    return out;
  }

  @Override
  public FSDataOutputStream createNonRecursive(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    checkWritable(f);
    FSDataOutputStream out =
        super.createNonRecursive(
            f, permission, overwrite, bufferSize, replication, blockSize, progress);
    return out;
  }

  // every way RawLocalFileSystem creates a file ends in one of these two: where the disk fills up
  @Override
  protected OutputStream createOutputStream(Path f, boolean append) throws IOException {
    checkWritable(f);
    OutputStream out = super.createOutputStream(f, append);
    Optional<Fault> fault = faultAt(f);
    return fault.isEmpty() ? out : new Filling(out, fault.get());
  }

  @Override
  protected OutputStream createOutputStreamWithMode(Path f, boolean append, FsPermission permission)
      throws IOException {
    checkWritable(f);
    OutputStream out = super.createOutputStreamWithMode(f, append, permission);
    Optional<Fault> fault = faultAt(f);
    return fault.isEmpty() ? out : new Filling(out, fault.get());
  }

  @Override
  public FSDataOutputStream append(Path f, int bufferSize, Progressable progress)
      throws IOException {
    checkWritable(f);
    return super.append(f, bufferSize, progress);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    checkWritable(src);
    checkWritable(dst);
    return super.rename(src, dst);
  }

  @Override
  public boolean delete(Path p, boolean recursive) throws IOException {
    Optional<Fault> fault = faultAt(p);
    if (fault.isPresent() && fault.get().readOnly()) {
      REFUSED.incrementAndGet();
      throw new AccessDeniedException(p.toUri().getPath(), null, "Permission denied");
    }
    return super.delete(p, recursive); // deleting frees space on a full disk
  }

  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    if (!super.exists(f)) {
      checkWritable(f);
    }
    return super.mkdirs(f, permission);
  }

  /** Counts the bytes written under a full-disk fault and fails as {@code ENOSPC} once there is no room. */
  private static final class Filling extends FilterOutputStream {
    private final Fault fault;

    Filling(OutputStream out, Fault fault) {
      super(out);
      this.fault = fault;
    }

    @Override
    public void write(int b) throws IOException {
      take(1);
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      take(len);
      out.write(b, off, len);
    }

    private void take(long n) throws IOException {
      if (FAULT.get() != fault) {
        return; // repaired meanwhile
      }
      if (fault.bytesLeft().addAndGet(-n) < 0) {
        REFUSED.incrementAndGet();
        throw new IOException("No space left on device");
      }
    }
  }

  /** The same file system for {@code FileContext}. */
  public static final class Fs extends DelegateToFileSystem {
    public Fs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new GuardedFileSystem(), conf, SCHEME, false);
    }
  }
}
