package io.tributary.runtime.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.nativeio.NativeIO;

/**
 * Hadoop's checksummed local file system ({@code file://}) without a child process per file.
 *
 * <p>Without Hadoop's native library, {@link RawLocalFileSystem} sets each new file's and folder's
 * permission by running {@code chmod}, and answers {@code getFileLinkStatus} (which {@code
 * FileContext}'s rename, and so every Delta commit through Delta's log store, asks for the target
 * and its checksum file) by running {@code readlink}: about ten processes per Delta commit and two
 * per data file, each forked from the engine's JVM. This one does both through {@code java.nio}, in
 * process, with the same outcome: the permission bits Hadoop would set, and a symbolic link still
 * resolved by Hadoop's own code. With the native library, or for a permission {@code java.nio} cannot
 * set (the sticky bit), Hadoop's own code runs.
 *
 * <p>{@link HadoopSettings} makes it {@code file://}'s implementation ({@code fs.file.impl}, and
 * {@link NioLocalFs} for {@code FileContext}) unless the pipeline names another.
 */
public final class NioLocalFileSystem extends LocalFileSystem {

  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The raw (checksum-less) file system under it; also {@link NioLocalFs}'s. */
  public static final class Raw extends RawLocalFileSystem {

    @Override
    public void setPermission(Path path, FsPermission permission) throws IOException {
      if (NativeIO.isAvailable() || permission.getStickyBit()) {
        super.setPermission(path, permission);
        return;
      }
      java.nio.file.Path file = pathToFile(path).toPath();
      try {
        Files.setPosixFilePermissions(file, posix(permission.toShort()));
      } catch (NoSuchFileException e) {
        throw new FileNotFoundException("File " + path + " does not exist");
      } catch (UnsupportedOperationException noPosix) {
        super.setPermission(path, permission);
      }
    }

    /**
     * A path that is not a symbolic link has its plain status (what Hadoop returns for it after
     * running {@code readlink}); a symbolic link is left to Hadoop.
     */
    @Override
    public FileStatus getFileLinkStatus(Path path) throws IOException {
      if (Files.isSymbolicLink(pathToFile(path).toPath())) {
        return super.getFileLinkStatus(path);
      }
      return getFileStatus(path);
    }
  }

  /** The POSIX permissions of a permission's low nine bits (user, group, others: rwx each). */
  static Set<PosixFilePermission> posix(short mode) {
    PosixFilePermission[] bits = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        set.add(bits[i]);
      }
    }
    return set;
  }
}
