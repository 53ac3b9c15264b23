package io.tributary.runtime.delta.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.runtime.delta.DeltaDataFile;
import io.tributary.runtime.delta.DeltaLogDirectory;
import io.tributary.runtime.delta.DeltaPaths;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The rows each commit of a Delta table added and deleted, read from its {@code _delta_log} JSON
 * commits: an add counts its file's {@code numRecords} less the rows its deletion vector deletes, a
 * remove the same of the file it removes (its own statistics, or those of the add it removes).
 */
public final class DeltaCommitRows {

  private static final ObjectMapper JSON = new ObjectMapper();

  private DeltaCommitRows() {}

  /**
   * One commit.
   *
   * @param appId the app id of its transaction ({@code txn} action), if it has one
   * @param transactionVersion that transaction's version, or -1
   * @param dataChange whether any of its adds or removes changes data
   */
  public record Commit(
      long version,
      Optional<String> appId,
      long transactionVersion,
      long addedRows,
      long deletedRows,
      int adds,
      int removes,
      boolean dataChange) {}

  /** Every commit still in the log, from the first, by version. */
  public static List<Commit> read(String tablePath, Configuration conf) {
    return read(tablePath, conf, Map.of());
  }

  /**
   * As {@link #read(String, Configuration)}, with the live rows of files this caller knows (path and
   * deletion vector id to rows) for removes whose statistics the log lacks.
   */
  public static List<Commit> read(
      String tablePath, Configuration conf, Map<String, Long> knownFiles) {
    Path root = DeltaPaths.qualified(tablePath, conf);
    Map<String, Long> liveRows = new HashMap<>(knownFiles);
    List<Commit> commits = new ArrayList<>();
    try {
      FileSystem fs = root.getFileSystem(conf);
      for (FileStatus file : DeltaLogDirectory.list(root, conf).commits()) {
        commits.add(parse(fs, file, liveRows));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the Delta log of " + tablePath + ": " + e.getMessage(), e);
    }
    return commits;
  }

  private static Commit parse(FileSystem fs, FileStatus file, Map<String, Long> liveRows)
      throws IOException {
    String appId = null;
    long txn = -1;
    long added = 0;
    long deleted = 0;
    int adds = 0;
    int removes = 0;
    boolean dataChange = false;
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(fs.open(file.getPath()), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode action = JSON.readTree(line);
        if (action.has("txn")) {
          appId = action.path("txn").path("appId").asText();
          txn = action.path("txn").path("version").asLong();
        } else if (action.has("add")) {
          JsonNode add = action.path("add");
          long rows = liveRows(add);
          liveRows.put(key(add), rows);
          added += rows;
          adds++;
          dataChange |= add.path("dataChange").asBoolean(true);
        } else if (action.has("remove")) {
          JsonNode remove = action.path("remove");
          Long known = liveRows.remove(key(remove));
          long rows = known != null ? known : liveRows(remove);
          deleted += rows;
          removes++;
          dataChange |= remove.path("dataChange").asBoolean(true);
        }
      }
    }
    return new Commit(
        DeltaLogDirectory.version(file),
        Optional.ofNullable(appId),
        txn,
        added,
        deleted,
        adds,
        removes,
        dataChange);
  }

  /** The rows of an add or remove action: its statistics' numRecords less its deletion vector's cardinality. */
  private static long liveRows(JsonNode action) throws IOException {
    JsonNode stats = action.path("stats");
    long records = 0;
    if (stats.isTextual() && !stats.asText().isEmpty()) {
      records = JSON.readTree(stats.asText()).path("numRecords").asLong();
    }
    return records - action.path("deletionVector").path("cardinality").asLong(0);
  }

  /** A logical file: its name (data files have unique names) and its deletion vector's id. */
  private static String key(JsonNode action) {
    JsonNode dv = action.path("deletionVector");
    String id =
        dv.isMissingNode() || dv.isNull()
            ? ""
            : dv.path("storageType").asText()
                + dv.path("pathOrInlineDv").asText()
                + (dv.has("offset") ? "@" + dv.path("offset").asLong() : "");
    return name(action.path("path").asText()) + "#" + id;
  }

  /** The key {@link #read(String, Configuration, Map)} looks a removed file up by. */
  public static String key(DeltaDataFile file) {
    return name(file.path())
        + "#"
        + (file.deletionVector() == null ? "" : file.deletionVector().uniqueId());
  }

  private static String name(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The rows {@code file} holds: its records less those its deletion vector deletes. */
  public static long liveRows(DeltaDataFile file) {
    return file.numRecords()
        - (file.deletionVector() == null ? 0 : file.deletionVector().cardinality());
  }
}
