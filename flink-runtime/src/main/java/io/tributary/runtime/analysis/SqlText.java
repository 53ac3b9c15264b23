package io.tributary.runtime.analysis;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lexical steps Tributary takes on a dataset's SQL before Flink's planner sees it: stream reads
 * and lookups become names of their own registrations, so the planner's catalog lookups tell how each
 * dataset is read. None parses SQL: the planner does that.
 */
final class SqlText {

  /** The suffix of the name under which a dataset's stream is registered; never a valid dataset name. */
  static final String STREAM_SUFFIX = "$stream";

  /**
   * The suffix of the name under which a persisted dataset is registered as a lookup-capable table
   * (the dimension of a lookup join); never a valid dataset name.
   */
  static final String LOOKUP_SUFFIX = "$lookup";

  // DLT SQL reads a stream as STREAM(name) or STREAM(live.name); literals and comments are skipped.
  private static final Pattern STREAM_CALL =
      Pattern.compile(
          "'(?:[^']|'')*'|--[^\\n]*|/\\*.*?\\*/"
              + "|\\bSTREAM\\s*\\(\\s*(?:LIVE\\s*\\.\\s*)?`?([A-Za-z_][A-Za-z0-9_]*)`?\\s*\\)",
          Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  // A lookup join's table: a name (or LIVE.name), quoted or not, followed by FOR SYSTEM_TIME AS OF.
  private static final Pattern LOOKUP_TABLE =
      Pattern.compile(
          "'(?:[^']|'')*'|--[^\\n]*|/\\*.*?\\*/"
              + "|(?<![A-Za-z0-9_$.`])(?:LIVE\\s*\\.\\s*)?(?:`([A-Za-z_][A-Za-z0-9_]*)`|([A-Za-z_][A-Za-z0-9_]*))"
              + "(?=\\s+FOR\\s+SYSTEM_TIME\\s+AS\\s+OF\\b)",
          Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern IDENTIFIER =
      Pattern.compile(
          "'(?:[^']|'')*'|--[^\\n]*|/\\*.*?\\*/|`([^`]+)`|([A-Za-z_][A-Za-z0-9_$]*)",
          Pattern.DOTALL);

  private SqlText() {}

  /** Rewrites each {@code STREAM(name)} to the quoted name of the dataset's stream registration. */
  static String rewriteStreamReads(String sql) {
    Matcher matcher = STREAM_CALL.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String replacement =
          matcher.group(1) == null ? matcher.group() : "`" + matcher.group(1) + STREAM_SUFFIX + "`";
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  /**
   * Rewrites each table of a lookup join ({@code name FOR SYSTEM_TIME AS OF …}) to the quoted name of
   * the dataset's lookup registration.
   */
  static String rewriteLookupReads(String sql) {
    Matcher matcher = LOOKUP_TABLE.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
      String replacement = name == null ? matcher.group() : "`" + name + LOOKUP_SUFFIX + "`";
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  /** The datasets a rewritten query looks up, in order of appearance. */
  static Set<String> lookupReads(String rewrittenSql) {
    Set<String> names = new LinkedHashSet<>();
    Matcher matcher = IDENTIFIER.matcher(rewrittenSql);
    while (matcher.find()) {
      String name = matcher.group(1);
      if (name != null && name.endsWith(LOOKUP_SUFFIX)) {
        names.add(name.substring(0, name.length() - LOOKUP_SUFFIX.length()));
      }
    }
    return names;
  }

  /** Both rewrites, in the order the planner needs them. */
  static String rewrite(String sql) {
    return rewriteLookupReads(rewriteStreamReads(sql));
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
        names.add(withoutSuffix(name));
      }
    }
    return names;
  }

  /** The dataset a registration name stands for: the name without {@code $stream} or {@code $lookup}. */
  static String withoutSuffix(String name) {
    for (String suffix : new String[] {STREAM_SUFFIX, LOOKUP_SUFFIX}) {
      if (name.endsWith(suffix)) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return name;
  }
}
