package io.tributary.runtime.source;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Lists the input files of a source, with Auto Loader's rules: files and directories whose names start
 * with {@code .} or {@code _} are ignored (writers rename finished files into place; {@code _delta_log},
 * {@code _SUCCESS} and checksum files are not data), sub-directories are listed unless
 * {@code recursiveFileLookup=false}, and {@code pathGlobFilter} (a glob such as {@code *.json}) is
 * matched against file names. A path that does not exist yet has no files. Uses Flink's file systems,
 * which the readers use too.
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
    Path rootPath = new Path(root);
    FileSystem fs = rootPath.getFileSystem();
    List<DiscoveredFile> files = new ArrayList<>();
    if (!fs.exists(rootPath)) {
      return files;
    }
    PathMatcher matcher = glob.isEmpty() ? null : FileSystems.getDefault().getPathMatcher("glob:" + glob);
    FileStatus rootStatus = fs.getFileStatus(rootPath);
    if (!rootStatus.isDir()) {
      add(rootStatus, matcher, files);
    } else {
      walk(fs, rootPath, matcher, files);
    }
    files.sort(DiscoveredFile.ARRIVAL_ORDER);
    return files;
  }

  private void walk(FileSystem fs, Path dir, PathMatcher matcher, List<DiscoveredFile> files) throws IOException {
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
    files.add(new DiscoveredFile(status.getPath().toString(), status.getLen(), status.getModificationTime()));
  }

  static boolean isHidden(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }
}
