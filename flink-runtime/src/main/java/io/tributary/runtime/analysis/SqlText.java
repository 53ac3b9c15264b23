package io.tributary.runtime.analysis;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two lexical steps Tributary takes on a dataset's SQL before Flink's planner sees it. Neither
 * parses SQL: the planner does that.
 */
final class SqlText {

  /** The suffix of the name under which a dataset's stream is registered; never a valid dataset name. */
  static final String STREAM_SUFFIX = "$stream";

  // DLT SQL reads a stream as STREAM(name) or STREAM(live.name); literals and comments are skipped.
  private static final Pattern STREAM_CALL = Pattern.compile("'(?:[^']|'')*'|--[^\\n]*|/\\*.*?\\*/"
      + "|\\bSTREAM\\s*\\(\\s*(?:LIVE\\s*\\.\\s*)?`?([A-Za-z_][A-Za-z0-9_]*)`?\\s*\\)",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern IDENTIFIER =
      Pattern.compile("'(?:[^']|'')*'|--[^\\n]*|/\\*.*?\\*/|`([^`]+)`|([A-Za-z_][A-Za-z0-9_$]*)", Pattern.DOTALL);

  private SqlText() {}

  /** Rewrites each {@code STREAM(name)} to the quoted name of the dataset's stream registration. */
  static String rewriteStreamReads(String sql) {
    Matcher matcher = STREAM_CALL.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String replacement = matcher.group(1) == null ? matcher.group() : "`" + matcher.group(1) + STREAM_SUFFIX + "`";
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  /**
   * Every identifier in {@code sql} outside literals and comments: a superset of the datasets the
   * query reads, used only to order analysis (the planner tells the exact reads).
   */
  static Set<String> identifiers(String sql) {
    Set<String> names = new LinkedHashSet<>();
    Matcher matcher = IDENTIFIER.matcher(sql);
    while (matcher.find()) {
      String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
      if (name != null) {
        names.add(name.endsWith(STREAM_SUFFIX) ? name.substring(0, name.length() - STREAM_SUFFIX.length()) : name);
      }
    }
    return names;
  }
}
