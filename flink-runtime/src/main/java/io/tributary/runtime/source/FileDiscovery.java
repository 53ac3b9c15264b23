package io.tributary.runtime.source;

import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * Lists the input files of a source, with Auto Loader's rules: files and directories whose names start
 * with {@code .} or {@code _} are ignored (writers rename finished files into place; {@code _delta_log},
 * {@code _SUCCESS} and checksum files are not data), sub-directories are listed unless
 * {@code recursiveFileLookup=false}, and {@code pathGlobFilter} (a glob such as {@code *.json}) is
 * matched against file names. A path that does not exist yet has no files. Uses Flink's file systems,
 * which the readers use too.
 *
 * <p>On local disk it walks with {@code java.nio}, one {@code stat} per entry: Flink's
 * {@code LocalFileSystem.listStatus} costs five per file (exists, the URI's directory test, then
 * length, time and type), which made listing a folder of 100,000 files take tens of seconds. The
 * paths it yields are the strings Flink's listing yields ({@code file:} and the absolute path), because
 * the processed-files state is keyed on them: {@code FileDiscoveryTest} compares both listings.
 */
final class FileDiscovery implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String root;
  private final boolean recursive;
  private final String glob;

  FileDiscovery(String root, boolean recursive, String glob) {
    this.root = root;
    this.recursive = recursive;
    this.glob = glob;
  }

  static FileDiscovery of(AutoLoaderOptions options) {
    return new FileDiscovery(options.path(), options.recursive(), options.pathGlobFilter());
  }

  /** Every input file now under the root, in {@link DiscoveredFile#ARRIVAL_ORDER}. */
  List<DiscoveredFile> list() throws IOException {
    return list(true);
  }

  /** {@link #list} through Flink's file system API alone, as on any file system other than local disk. */
  List<DiscoveredFile> listThroughFileSystem() throws IOException {
    return list(false);
  }

  private List<DiscoveredFile> list(boolean nativeLocalWalk) throws IOException {
    Path rootPath = new Path(root);
    FileSystem fs = rootPath.getFileSystem();
    List<DiscoveredFile> files = new ArrayList<>();
    if (!fs.exists(rootPath)) {
      return files;
    }
    PathMatcher matcher =
        glob.isEmpty() ? null : FileSystems.getDefault().getPathMatcher("glob:" + glob);
    FileStatus rootStatus = fs.getFileStatus(rootPath);
    if (!rootStatus.isDir()) {
      add(rootStatus, matcher, files);
    } else if (nativeLocalWalk && fs instanceof LocalFileSystem local) {
      walkLocal(local.pathToFile(rootPath).getAbsoluteFile(), matcher, files);
    } else {
      walk(fs, rootPath, matcher, files);
    }
    files.sort(DiscoveredFile.ARRIVAL_ORDER);
    return files;
  }

  private void walkLocal(File dir, PathMatcher matcher, List<DiscoveredFile> files)
      throws IOException {
    List<java.nio.file.Path> children = new ArrayList<>();
    try (DirectoryStream<java.nio.file.Path> stream = Files.newDirectoryStream(dir.toPath())) {
      stream.forEach(children::add);
    } catch (NoSuchFileException e) {
      return; // removed while listing, as Flink's listing treats it
    }
    for (java.nio.file.Path child : children) {
      String name = child.getFileName().toString();
      if (isHidden(name)) {
        continue;
      }
      BasicFileAttributes attributes;
      try {
        attributes =
            Files.readAttributes(
                child, BasicFileAttributes.class); // follows links, as java.io.File does
      } catch (NoSuchFileException e) {
        continue; // removed between the listing and its stat: the next listing will not see it
        // either
      }
      if (attributes.isDirectory()) {
        if (recursive) {
          walkLocal(child.toFile(), matcher, files);
        }
      } else if (matcher == null || matcher.matches(java.nio.file.Path.of(name))) {
        files.add(
            new DiscoveredFile(
                localPath(child.toFile()),
                attributes.size(),
                attributes.lastModifiedTime().toMillis()));
      }
    }
  }

  /** The path string Flink's {@code LocalFileStatus} gives a file: {@code file:} and its URI path. */
  private static String localPath(File file) {
    String path = file.getAbsolutePath();
    if (File.separatorChar != '/') {
      path = path.replace(File.separatorChar, '/');
    }
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    return new Path("file:" + path).toString();
  }

  private void walk(FileSystem fs, Path dir, PathMatcher matcher, List<DiscoveredFile> files)
      throws IOException {
    FileStatus[] children = fs.listStatus(dir);
    if (children == null) {
      return;
    }
    for (FileStatus child : children) {
      if (isHidden(child.getPath().getName())) {
        continue;
      }
      if (child.isDir()) {
        if (recursive) {
          walk(fs, child.getPath(), matcher, files);
        }
      } else {
        add(child, matcher, files);
      }
    }
  }

  private static void add(FileStatus status, PathMatcher matcher, List<DiscoveredFile> files) {
    String name = status.getPath().getName();
    if (matcher != null && !matcher.matches(java.nio.file.Path.of(name))) {
      return;
    }
    files.add(
        new DiscoveredFile(
            status.getPath().toString(), status.getLen(), status.getModificationTime()));
  }

  static boolean isHidden(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }
}
