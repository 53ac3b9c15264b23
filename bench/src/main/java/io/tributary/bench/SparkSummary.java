package io.tributary.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code summary.txt} that the Spark baseline's run.sh writes into its output folder: each stage's
 * seconds ({@code time.STAGE.seconds=…}) and the options of the run ({@code options={…}}).
 *
 * @param dir the baseline's output folder (its {@code oracle/} holds the result CSVs)
 */
public record SparkSummary(Path dir, Map<String, Double> seconds, String options) {

  private static final Pattern TIME = Pattern.compile("time\\.([A-Za-z0-9_]+)\\.seconds=([0-9.]+)");
  private static final Pattern OPTIONS = Pattern.compile("(?m)^options=(.*)$");
  private static final Pattern CDC_MAX_FILES = Pattern.compile("cdc-max-files-per-trigger=(\\d+)");

  public SparkSummary {
    seconds = Map.copyOf(seconds);
  }

  /** Reads {@code dir/summary.txt}. */
  public static SparkSummary read(Path dir) {
    Path file = dir.resolve("summary.txt");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the Spark baseline's summary "
              + file
              + "; run ../shared/bench/spark-baseline/run.sh DATA OUT first and pass OUT to --spark-out.",
          e);
    }
    Map<String, Double> seconds = new TreeMap<>();
    Matcher m = TIME.matcher(text);
    while (m.find()) {
      seconds.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    Matcher o = OPTIONS.matcher(text);
    return new SparkSummary(dir, seconds, o.find() ? o.group(1) : "");
  }

  /** The seconds of one stage, such as {@code a_bronze_events}. */
  public double time(String stage) {
    Double s = seconds.get(stage);
    if (s == null) {
      throw new IllegalArgumentException(
          "Spark summary "
              + dir.resolve("summary.txt")
              + " has no line time."
              + stage
              + ".seconds=...");
    }
    return s;
  }

  /** The run's {@code --cdc-max-files-per-trigger} (0: the whole feed in one micro-batch). */
  public int cdcMaxFilesPerTrigger() {
    Matcher m = CDC_MAX_FILES.matcher(options);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }
}
