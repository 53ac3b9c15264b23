package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What each commit of a Delta table wrote, read straight from its {@code _delta_log/NNN.json} files
 * with no engine code, so the benchmark's "bytes rewritten per micro-batch" does not trust the writer
 * it measures. A live file's bytes are its Parquet size plus, when its add carries a deletion vector,
 * the vector's size (stored inline or in its own file). A commit writes the bytes of the files it adds,
 * except when it re-adds a file already in the table with a new deletion vector (merge-on-read): then
 * it writes only the vector.
 */
public final class DeltaLog {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One commit.
   *
   * @param version the table version it made
   * @param operation {@code commitInfo.operation}, or "" when absent
   * @param addedBytes bytes it wrote: of the new files it added with {@code dataChange} and of the
   *     deletion vectors it attached to files already in the table
   * @param addedFiles how many files it added with {@code dataChange}
   * @param removedBytes bytes of the files it removed with {@code dataChange}
   * @param removedFiles how many files it removed with {@code dataChange}
   * @param addedRows {@code numRecords} of the added files' stats (0 when absent)
   * @param added the paths of the files it added
   * @param tableBytes the table's bytes after the commit (live files and their deletion vectors)
   * @param tableFiles the table's live files after the commit
   */
  public record Commit(
      long version,
      String operation,
      long addedBytes,
      int addedFiles,
      long removedBytes,
      int removedFiles,
      long addedRows,
      List<String> added,
      long tableBytes,
      int tableFiles) {

    public Commit {
      added = List.copyOf(added);
    }

    /** Whether the commit changed the table's data (not only its metadata). */
    public boolean changesData() {
      return addedFiles > 0 || removedFiles > 0;
    }

    /** Bytes written by this commit over the table's bytes after it (0 for an empty table). */
    public double rewrittenShare() {
      return tableBytes == 0 ? 0 : (double) addedBytes / tableBytes;
    }
  }

  private DeltaLog() {}

  /** Every commit of the table at {@code table}, oldest first; empty when it has no log yet. */
  public static List<Commit> commits(Path table) {
    return commitsFrom(table, 0, new HashMap<>());
  }

  /**
   * The commits from {@code firstVersion} on, given the live files (path to bytes) before it, which
   * this call updates: lets a poller read only the commits it has not seen.
   */
  public static List<Commit> commitsFrom(Path table, long firstVersion, Map<String, Long> live) {
    List<Commit> commits = new ArrayList<>();
    for (long v = firstVersion; ; v++) {
      Path file = table.resolve("_delta_log").resolve(String.format("%020d.json", v));
      if (!Files.isRegularFile(file)) {
        return commits;
      }
      commits.add(read(v, file, live));
    }
  }

  private static Commit read(long version, Path file, Map<String, Long> live) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Delta commit " + file, e);
    }
    String operation = "";
    long addedBytes = 0;
    long removedBytes = 0;
    long addedRows = 0;
    int addedFiles = 0;
    int removedFiles = 0;
    List<String> added = new ArrayList<>();
    java.util.Set<String> before = new java.util.HashSet<>(live.keySet());
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode action;
      try {
        action = JSON.readTree(line);
      } catch (IOException e) {
        throw new IllegalStateException(
            "Delta commit " + file + " holds a line that is not JSON: " + line, e);
      }
      if (action.has("commitInfo")) {
        operation = action.get("commitInfo").path("operation").asText("");
      } else if (action.has("add")) {
        JsonNode add = action.get("add");
        long vector = add.path("deletionVector").path("sizeInBytes").asLong(0);
        long bytes = add.path("size").asLong() + vector;
        String path = add.get("path").asText();
        live.put(path, bytes);
        if (add.path("dataChange").asBoolean(true)) {
          addedBytes += before.contains(path) ? vector : bytes;
          addedFiles++;
          added.add(path);
          addedRows += numRecords(add);
        }
      } else if (action.has("remove")) {
        JsonNode remove = action.get("remove");
        Long bytes = live.remove(remove.get("path").asText());
        if (remove.path("dataChange").asBoolean(true)) {
          removedFiles++;
          removedBytes += bytes != null ? bytes : remove.path("size").asLong(0);
        }
      }
    }
    long tableBytes = live.values().stream().mapToLong(Long::longValue).sum();
    return new Commit(
        version,
        operation,
        addedBytes,
        addedFiles,
        removedBytes,
        removedFiles,
        addedRows,
        added,
        tableBytes,
        live.size());
  }

  private static long numRecords(JsonNode add) {
    JsonNode stats = add.get("stats");
    if (stats == null || stats.isNull()) {
      return 0;
    }
    try {
      return JSON.readTree(stats.asText()).path("numRecords").asLong(0);
    } catch (IOException e) {
      return 0;
    }
  }
}
