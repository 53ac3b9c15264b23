package io.tributary.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * A folder an Auto Loader source of the pipeline reads: each call adds one new file, which the next
 * update reads as Auto Loader reads a new file in production.
 *
 * <pre>{@code
 * AutoLoaderInput orders = driver.autoLoaderFolder("source.orders");   // the key the pipeline reads with p.conf
 * orders.addJson(Map.of("order_id", 1, "amount", 9.5), Map.of("order_id", 2, "amount", 3.0));
 * orders.addFile("bad.json", "{not json\n");
 * }</pre>
 */
public final class AutoLoaderInput {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path folder;
  private int files;

  AutoLoaderInput(Path folder) {
    this.folder = folder;
  }

  /** The folder. */
  public Path folder() {
    return folder;
  }

  /** Adds one JSON-lines file with these rows (column name to value; Jackson writes the values). */
  @SafeVarargs
  public final Path addJson(Map<String, ?>... rows) {
    return addJson(List.of(rows));
  }

  /** Adds one JSON-lines file with these rows. */
  public Path addJson(List<? extends Map<String, ?>> rows) {
    StringBuilder text = new StringBuilder();
    for (Map<String, ?> row : rows) {
      try {
        text.append(JSON.writeValueAsString(row)).append('\n');
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            "Cannot write row " + row + " as JSON: " + e.getOriginalMessage(), e);
      }
    }
    return addFile(String.format("part-%05d.json", ++files), text.toString());
  }

  /** Adds one file of exactly this text (CSV, malformed JSON, ...), named {@code name}. */
  public Path addFile(String name, String text) {
    Path target = folder.resolve(name);
    if (Files.exists(target)) {
      throw new IllegalArgumentException(
          "File "
              + target
              + " already exists; Auto Loader reads each file once, "
              + "so add new data under a new name.");
    }
    try {
      // written aside and renamed, so a listing never sees half a file
      Path temp = Files.createTempFile(folder.getParent(), ".incoming-", ".tmp");
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot add " + target + ": " + e.getMessage(), e);
    }
    return target;
  }
}
