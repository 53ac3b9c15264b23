package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local-disk walk must yield exactly what Flink's file system listing yields: the processed-files
 * state of every running pipeline is keyed on those path strings, so a difference would read files
 * again after an upgrade, or skip new ones.
 */
class FileDiscoveryTest {

  @TempDir Path dir;

  @Test
  void localWalkYieldsFlinksListingPathForPath() throws Exception {
    Path input = dir.resolve("in put");
    Files.write(input, "a.json", "{}\n");
    Files.write(input, "b c.json", "{}\n");
    Files.write(input, "100%#?.json", "{}\n");
    Files.write(input, "ünï/cödé.json", "{\"x\":1}\n");
    Files.write(input, "year=2026/month=11/day=25/part-0.json", "{}\n{}\n");
    Files.write(input, "empty.json", "");
    Files.write(input, "_SUCCESS", "");
    Files.write(input, ".part-1.json.inprogress", "{}\n");
    Files.write(input, "_delta_log/00000.json", "{}\n");
    Files.write(input, "notes.txt", "x\n");
    java.nio.file.Files.setLastModifiedTime(
        input.resolve("a.json"), FileTime.fromMillis(1_700_000_000_123L));

    for (String root :
        List.of(input.toString(), input.toUri().toString(), "file://" + input + "/")) {
      for (boolean recursive : List.of(true, false)) {
        for (String glob : List.of("", "*.json")) {
          FileDiscovery discovery = new FileDiscovery(root, recursive, glob);
          assertThat(discovery.list())
              .as("root %s, recursive %s, glob '%s'", root, recursive, glob)
              .isEqualTo(discovery.listThroughFileSystem());
        }
      }
    }
    List<String> paths =
        new FileDiscovery(input.toString(), true, "")
            .list().stream().map(DiscoveredFile::path).sorted().toList();
    String prefix = "file:" + input + "/";
    assertThat(paths)
        .containsExactly(
            prefix + "100%#?.json",
            prefix + "a.json",
            prefix + "b c.json",
            prefix + "empty.json",
            prefix + "notes.txt",
            prefix + "year=2026/month=11/day=25/part-0.json",
            prefix + "ünï/cödé.json");
  }

  @Test
  void aSingleFileRootAndAMissingRootListAsBefore() throws Exception {
    Path file = Files.write(dir, "one.json", "{}\n");
    FileDiscovery single = new FileDiscovery(file.toString(), true, "");
    assertThat(single.list()).isEqualTo(single.listThroughFileSystem()).hasSize(1);
    assertThat(new FileDiscovery(dir.resolve("absent").toString(), true, "").list()).isEmpty();
  }
}
