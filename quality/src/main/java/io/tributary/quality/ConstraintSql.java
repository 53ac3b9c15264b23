package io.tributary.quality;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Bridges a constraint as Delta Live Tables users write it (Spark SQL) to the Flink SQL that Flink's
 * planner compiles, so that every constraint of the DLT guide works verbatim.
 *
 * <p>It works on tokens, not on an expression tree: the constraint is split into words, string
 * literals, backquoted identifiers, numbers, symbols and whitespace (string literals and backquotes
 * are respected, so {@code 'a timestamp'} is never touched), a few tokens are rewritten, and the rest
 * is passed through verbatim for Flink's parser to judge. The rewrites:
 *
 * <ul>
 *   <li>A word naming a column of the dataset is backquoted with the column's exact name. Flink SQL
 *       reserves words that Spark SQL does not ({@code timestamp}, {@code value}, {@code date}…), and
 *       Spark resolves column names case-insensitively where Flink does not. A word is not taken for a
 *       column when a {@code (} follows it (a function call), when {@code .} precedes it (a field of a
 *       row), or when {@code AS} or a string literal precedes it ({@code CAST(x AS date)},
 *       {@code INTERVAL '1' day}). Nor is a word that makes an expression's structure ({@code AND},
 *       {@code OR}, {@code NOT}, {@code IS}, {@code NULL}, {@code TRUE}, {@code FALSE}, {@code CASE},
 *       {@code WHEN}, {@code THEN}, {@code ELSE}, {@code END}, {@code LIKE}, {@code IN},
 *       {@code BETWEEN}): a column so named is written in backquotes, as in Spark.
 *   <li>{@code current_date()} and {@code current_timestamp()} become {@code CURRENT_DATE} and
 *       {@code CURRENT_TIMESTAMP}: Flink takes them without parentheses. Note that Spark evaluates them
 *       once per query, while Flink in streaming mode evaluates them per record (in batch mode once
 *       per query), so {@code transaction_date <= current_date()} follows the clock during a long
 *       update.
 *   <li>A double-quoted string ({@code "%@%"}), a string literal in Spark SQL, becomes a single-quoted
 *       one; Spark's backslash escapes in string literals ({@code 'it\'s'}) are decoded.
 *   <li>{@code ==} becomes {@code =}, and Spark's null-safe {@code <=>} becomes
 *       {@code IS NOT DISTINCT FROM}.
 * </ul>
 *
 * <p>No rewrite is needed for a {@code TIMESTAMP}, {@code TIMESTAMP_LTZ} or {@code DATE} column compared
 * with a string literal: Flink 2.3's planner casts the literal ({@code timestamp > '2020-01-01'} works
 * as in Spark; tested in {@code ConstraintSqlTest}).
 *
 * <pre>{@code
 * ConstraintSql.toFlinkSql("timestamp > '2020-01-01'", List.of("user_id", "timestamp"))
 *     // "`timestamp` > '2020-01-01'"
 * }</pre>
 */
public final class ConstraintSql {

  /** Words never taken for a column: a column named {@code end} must not break every CASE. */
  private static final Set<String> STRUCTURE =
      Set.of(
          "and", "or", "not", "is", "null", "true", "false", "case", "when", "then", "else", "end",
          "like", "in", "between");

  private ConstraintSql() {}

  /**
   * The constraint in Flink SQL, for a dataset with these columns.
   *
   * @param constraint a Spark SQL boolean expression, as written in {@code expect…}
   * @param columns the dataset's column names, in any order
   */
  public static String toFlinkSql(String constraint, Collection<String> columns) {
    return translate(constraint, columns).flinkSql();
  }

  /** The translation, with where each part of the Flink SQL came from in the constraint. */
  static Translation translate(String constraint, Collection<String> columns) {
    Objects.requireNonNull(constraint, "constraint");
    Objects.requireNonNull(columns, "columns");
    List<Token> tokens = Lexer.tokens(constraint);
    int[] offsets = new int[tokens.size()];
    for (int i = 1; i < tokens.size(); i++) {
      offsets[i] = offsets[i - 1] + tokens.get(i - 1).text().length();
    }
    StringBuilder sql = new StringBuilder(constraint.length() + 16);
    List<int[]> starts = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      starts.add(new int[] {sql.length(), offsets[i]});
      switch (token.kind()) {
        case WORD -> i = appendWord(tokens, i, columns, sql);
        case QUOTED_IDENTIFIER -> appendQuotedIdentifier(token, columns, sql);
        case STRING -> sql.append(flinkString(token.text()));
        case SYMBOL ->
            sql.append(
                switch (token.text()) {
                  case "==" -> "=";
                  case "<=>" -> "IS NOT DISTINCT FROM";
                  default -> token.text();
                });
        default -> sql.append(token.text());
      }
    }
    return new Translation(constraint, sql.toString(), starts);
  }

  /**
   * A constraint and its Flink SQL, which keeps the constraint's lines. Maps a position that Flink
   * reports in the SQL back to the constraint as the user wrote it.
   */
  static final class Translation {
    private final String constraint;
    private final String flinkSql;
    private final List<int[]> starts;

    private Translation(String constraint, String flinkSql, List<int[]> starts) {
      this.constraint = constraint;
      this.flinkSql = flinkSql;
      this.starts = List.copyOf(starts);
    }

    String flinkSql() {
      return flinkSql;
    }

    /**
     * The 1-based line and column in the constraint of a 1-based line and column in the Flink SQL: the
     * same place in the same token, or the token's start when the token was rewritten shorter.
     */
    int[] originalPosition(int line, int column) {
      int offset = offsetOf(flinkSql, line, column);
      int[] start = new int[] {0, 0};
      int end = constraint.length();
      for (int i = 0; i < starts.size() && starts.get(i)[0] <= offset; i++) {
        start = starts.get(i);
        end = i + 1 < starts.size() ? starts.get(i + 1)[1] : constraint.length();
      }
      int original = start[1] + (offset - start[0]);
      return positionOf(constraint, original < end ? original : start[1]);
    }

    private static int offsetOf(String text, int line, int column) {
      int offset = 0;
      for (int l = 1; l < line && offset >= 0; l++) {
        offset = text.indexOf('\n', offset);
        offset = offset < 0 ? -1 : offset + 1;
      }
      return offset < 0 ? text.length() : Math.min(offset + column - 1, text.length());
    }

    private static int[] positionOf(String text, int offset) {
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < offset && i < text.length(); i++) {
        if (text.charAt(i) == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      return new int[] {line, offset - lineStart + 1};
    }
  }

  /** Appends the word at {@code index}, returns the index of the last token it consumed. */
  private static int appendWord(
      List<Token> tokens, int index, Collection<String> columns, StringBuilder sql) {
    String word = tokens.get(index).text();
    int next = nextSignificant(tokens, index);
    boolean call = next >= 0 && tokens.get(next).text().equals("(");
    if (call) {
      String niladic =
          switch (word.toLowerCase(Locale.ROOT)) {
            case "current_date" -> "CURRENT_DATE";
            case "current_timestamp" -> "CURRENT_TIMESTAMP";
            default -> null;
          };
      int close = nextSignificant(tokens, next);
      if (niladic != null && close >= 0 && tokens.get(close).text().equals(")")) {
        sql.append(niladic);
        return close;
      }
      sql.append(word);
      return index;
    }
    int previous = previousSignificant(tokens, index);
    boolean notAColumn =
        previous >= 0
                && (tokens.get(previous).text().equals(".")
                    || tokens.get(previous).text().equalsIgnoreCase("AS")
                    || tokens.get(previous).kind() == Kind.STRING)
            || STRUCTURE.contains(word.toLowerCase(Locale.ROOT));
    String column = notAColumn ? null : column(word, columns);
    sql.append(column == null ? word : quote(column));
    return index;
  }

  private static void appendQuotedIdentifier(
      Token token, Collection<String> columns, StringBuilder sql) {
    String text = token.text();
    boolean closed = text.length() >= 2 && text.endsWith("`");
    if (!closed) {
      sql.append(text);
      return;
    }
    String name = text.substring(1, text.length() - 1).replace("``", "`");
    String column = column(name, columns);
    sql.append(column == null ? text : quote(column));
  }

  /** The column the name refers to: the exact match, else the only case-insensitive one, else none. */
  private static String column(String name, Collection<String> columns) {
    if (columns.contains(name)) {
      return name;
    }
    String found = null;
    for (String column : columns) {
      if (column.equalsIgnoreCase(name)) {
        if (found != null) {
          return null;
        }
        found = column;
      }
    }
    return found;
  }

  static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  private static int nextSignificant(List<Token> tokens, int index) {
    for (int i = index + 1; i < tokens.size(); i++) {
      if (tokens.get(i).significant()) {
        return i;
      }
    }
    return -1;
  }

  private static int previousSignificant(List<Token> tokens, int index) {
    for (int i = index - 1; i >= 0; i--) {
      if (tokens.get(i).significant()) {
        return i;
      }
    }
    return -1;
  }

  /**
   * A Spark string literal (single- or double-quoted, with backslash escapes) as a Flink one
   * (single-quoted, a quote doubled). An unterminated literal is left for Flink's parser to report.
   */
  private static String flinkString(String literal) {
    char quote = literal.charAt(0);
    boolean closed =
        literal.length() >= 2
            && literal.charAt(literal.length() - 1) == quote
            && !escapedAt(literal, literal.length() - 1);
    if (!closed || (quote == '\'' && literal.indexOf('\\') < 0)) {
      return literal;
    }
    String body = literal.substring(1, literal.length() - 1);
    StringBuilder value = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\' && i + 1 < body.length()) {
        char escaped = body.charAt(++i);
        switch (escaped) {
          case 'n' -> value.append('\n');
          case 't' -> value.append('\t');
          case 'r' -> value.append('\r');
          case 'b' -> value.append('\b');
          case '0' -> value.append('\0');
          // Spark keeps these backslashes, for LIKE patterns.
          case '%', '_' -> value.append('\\').append(escaped);
          default -> value.append(escaped);
        }
      } else if (c == quote && i + 1 < body.length() && body.charAt(i + 1) == quote) {
        value.append(c); // a doubled quote inside the literal
        i++;
      } else {
        value.append(c);
      }
    }
    return "'" + value.toString().replace("'", "''") + "'";
  }

  private static boolean escapedAt(String text, int index) {
    int backslashes = 0;
    for (int i = index - 1; i >= 0 && text.charAt(i) == '\\'; i--) {
      backslashes++;
    }
    return backslashes % 2 == 1;
  }

  enum Kind {
    WHITESPACE,
    COMMENT,
    WORD,
    QUOTED_IDENTIFIER,
    STRING,
    NUMBER,
    SYMBOL
  }

  record Token(Kind kind, String text) {
    boolean significant() {
      return kind != Kind.WHITESPACE && kind != Kind.COMMENT;
    }
  }

  /** Splits SQL text into tokens; the tokens' texts concatenated give the input back unchanged. */
  static final class Lexer {

    private static final List<String> SYMBOLS =
        List.of("<=>", "==", "!=", "<>", "<=", ">=", "||", "&&", "::");

    private Lexer() {}

    static List<Token> tokens(String text) {
      List<Token> tokens = new ArrayList<>();
      int i = 0;
      while (i < text.length()) {
        int start = i;
        char c = text.charAt(i);
        Kind kind;
        if (Character.isWhitespace(c)) {
          kind = Kind.WHITESPACE;
          while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
          }
        } else if (text.startsWith("--", i)) {
          kind = Kind.COMMENT;
          int end = text.indexOf('\n', i);
          i = end < 0 ? text.length() : end;
        } else if (text.startsWith("/*", i)) {
          kind = Kind.COMMENT;
          int end = text.indexOf("*/", i + 2);
          i = end < 0 ? text.length() : end + 2;
        } else if (c == '\'' || c == '"') {
          kind = Kind.STRING;
          i = endOfQuoted(text, i, c, true);
        } else if (c == '`') {
          kind = Kind.QUOTED_IDENTIFIER;
          i = endOfQuoted(text, i, c, false);
        } else if (Character.isLetter(c) || c == '_') {
          kind = Kind.WORD;
          while (i < text.length()
              && (Character.isLetterOrDigit(text.charAt(i))
                  || text.charAt(i) == '_'
                  || text.charAt(i) == '$')) {
            i++;
          }
        } else if (Character.isDigit(c)
            || (c == '.' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1)))) {
          kind = Kind.NUMBER;
          i = endOfNumber(text, i);
        } else {
          kind = Kind.SYMBOL;
          String symbol =
              SYMBOLS.stream()
                  .filter(s -> text.startsWith(s, start))
                  .findFirst()
                  .orElse(String.valueOf(c));
          i += symbol.length();
        }
        tokens.add(new Token(kind, text.substring(start, i)));
      }
      return tokens;
    }

    /** The index after the closing quote; a doubled quote continues the literal, as may a backslash. */
    private static int endOfQuoted(String text, int open, char quote, boolean backslashEscapes) {
      int i = open + 1;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (backslashEscapes && c == '\\') {
          i += 2;
        } else if (c == quote) {
          if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
            i += 2;
          } else {
            return i + 1;
          }
        } else {
          i++;
        }
      }
      return text.length();
    }

    private static int endOfNumber(String text, int start) {
      int i = start;
      while (i < text.length()) {
        char c = text.charAt(i);
        boolean exponentSign =
            (c == '+' || c == '-') && (text.charAt(i - 1) == 'e' || text.charAt(i - 1) == 'E');
        if (Character.isLetterOrDigit(c) || c == '.' || exponentSign) {
          i++;
        } else {
          break;
        }
      }
      return i;
    }
  }
}
