package io.tributary.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The generator's event files in a folder, as every reader here sees them: {@code *.json}, by name. */
final class EventFiles {

  private EventFiles() {}

  static List<Path> list(Path eventsDir) {
    try (Stream<Path> files = Files.list(eventsDir)) {
      return files
          .filter(
              f -> {
                String name = f.getFileName().toString();
                return name.endsWith(".json") && !name.startsWith("_") && !name.startsWith(".");
              })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot list the event files in "
              + eventsDir
              + ". Generate them with GenData (bench --data DIR does it when DIR/events is missing).",
          e);
    }
  }

  static long bytes(Path eventsDir) {
    long total = 0;
    for (Path f : list(eventsDir)) {
      try {
        total += Files.size(f);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read the size of " + f, e);
      }
    }
    return total;
  }

  static long lines(Path eventsDir) {
    long total = 0;
    for (Path f : list(eventsDir)) {
      try (Stream<String> lines = Files.lines(f)) {
        total += lines.count();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + f, e);
      }
    }
    return total;
  }
}
