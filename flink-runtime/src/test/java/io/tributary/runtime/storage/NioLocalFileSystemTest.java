package io.tributary.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.AbstractFileSystem;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code file://} as the engine opens it: Hadoop's checksummed local file system whose permissions
 * and link status come from {@code java.nio} instead of a {@code chmod} or {@code readlink} process.
 */
class NioLocalFileSystemTest {

  @TempDir java.nio.file.Path dir;

  private final Configuration conf = HadoopSettings.none().toConfiguration();

  @Test
  void thePipelinesConfigurationOpensFileUrisWithItUnlessTheProcessNamesAnother() throws Exception {
    try (FileSystem fs = FileSystem.newInstance(dir.toUri(), conf)) {
      assertThat(fs).isInstanceOf(NioLocalFileSystem.class);
      assertThat(((LocalFileSystem) fs).getRaw()).isInstanceOf(NioLocalFileSystem.Raw.class);
    }
    assertThat(AbstractFileSystem.get(dir.toUri(), conf)).isInstanceOf(NioLocalFs.class);

    Configuration own =
        HadoopSettings.of(Map.of("fs.file.impl", LocalFileSystem.class.getName()))
            .toConfiguration();
    own.set("fs.AbstractFileSystem.file.impl", "my.LocalFs");
    assertThat(own.get("fs.file.impl")).isEqualTo(LocalFileSystem.class.getName());
    assertThat(
            HadoopSettings.of(Map.of("fs.AbstractFileSystem.file.impl", "my.LocalFs"))
                .toConfiguration()
                .get("fs.AbstractFileSystem.file.impl"))
        .isEqualTo("my.LocalFs");
  }

  /** The permission Hadoop would set (its default less the umask), and a checksum file beside. */
  @Test
  void newFilesAndFoldersGetHadoopsPermissionsAndChecksums() throws Exception {
    Path folder = new Path(dir.toUri().toString(), "a/b");
    try (FileSystem fs = FileSystem.newInstance(dir.toUri(), conf)) {
      assertThat(fs.mkdirs(folder, new FsPermission((short) 0750))).isTrue();
      try (var out = fs.create(new Path(folder, "part-0.parquet"), false)) {
        out.write("rows".getBytes(StandardCharsets.UTF_8));
      }
      fs.setPermission(new Path(folder, "part-0.parquet"), new FsPermission((short) 0604));

      assertThat(posix(dir.resolve("a/b"))).isEqualTo("rwxr-x---");
      assertThat(posix(dir.resolve("a/b/part-0.parquet"))).isEqualTo("rw----r--");
      assertThat(dir.resolve("a/b/.part-0.parquet.crc")).exists();
      assertThat(fs.getFileStatus(new Path(folder, "part-0.parquet")).getPermission().toShort())
          .isEqualTo((short) 0604);
      assertThatThrownBy(
              () -> fs.setPermission(new Path(folder, "missing"), FsPermission.getFileDefault()))
          .isInstanceOf(FileNotFoundException.class);
    }
  }

  /** How a Delta commit is written: FileContext's create, then a rename that never overwrites. */
  @Test
  void fileContextCreatesAndRenamesWithoutOverwritingAndReadsLinkStatusAsHadoopDoes()
      throws Exception {
    FileContext fc = FileContext.getFileContext(dir.toUri(), conf);
    Path log = new Path(dir.toUri().toString(), "_delta_log");
    Path temp = new Path(log, ".00000.json.tmp");
    try (var out =
        fc.create(temp, EnumSet.of(CreateFlag.CREATE), Options.CreateOpts.createParent())) {
      out.write("{}".getBytes(StandardCharsets.UTF_8));
    }
    fc.rename(temp, new Path(log, "00000.json"), Options.Rename.NONE);
    assertThat(dir.resolve("_delta_log/00000.json")).hasContent("{}");

    Files.writeString(dir.resolve("_delta_log/other.tmp"), "x");
    assertThatThrownBy(
            () ->
                fc.rename(
                    new Path(log, "other.tmp"), new Path(log, "00000.json"), Options.Rename.NONE))
        .isInstanceOf(org.apache.hadoop.fs.FileAlreadyExistsException.class);

    Files.createSymbolicLink(dir.resolve("link.json"), dir.resolve("_delta_log/00000.json"));
    Configuration stock = new Configuration();
    stock.set("fs.AbstractFileSystem.file.impl", "org.apache.hadoop.fs.local.LocalFs");
    FileContext hadoops = FileContext.getFileContext(dir.toUri(), stock);
    for (Path path :
        new Path[] {new Path(dir.toUri().toString(), "link.json"), new Path(log, "00000.json")}) {
      FileStatus ours = fc.getFileLinkStatus(path);
      FileStatus theirs = hadoops.getFileLinkStatus(path);
      assertThat(ours.isSymlink()).as("symbolic link: %s", path).isEqualTo(theirs.isSymlink());
      assertThat(ours.getLen()).isEqualTo(theirs.getLen());
      assertThat(ours.isDirectory()).isEqualTo(theirs.isDirectory());
    }
    assertThatThrownBy(() -> fc.getFileLinkStatus(new Path(log, "missing.json")))
        .isInstanceOf(FileNotFoundException.class);
  }

  @Test
  void permissionBitsMapToPosixPermissions() {
    assertThat(PosixFilePermissions.toString(NioLocalFileSystem.posix((short) 0754)))
        .isEqualTo("rwxr-xr--");
    assertThat(NioLocalFileSystem.posix((short) 0)).isEmpty();
  }

  private static String posix(java.nio.file.Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
