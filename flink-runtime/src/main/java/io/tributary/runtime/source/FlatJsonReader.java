package io.tributary.runtime.source;

import java.nio.charset.StandardCharsets;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * Reads the JSON line almost every event file holds straight from its UTF-8 bytes: one flat object
 * whose fields are all columns, each at most once, with values that fit them as they are — strings
 * for text columns (the row's string is a slice of the line, neither decoded nor encoded again, or a
 * copy without its escapes), plain numbers for numeric columns, {@code true}/{@code false}, {@code
 * null}, and ISO-8601 text for dates and timestamps. Any other line gets {@code null} back, and
 * {@link JsonLineParser} reads it with Jackson as before, so what does not fit (an unknown field, a
 * value of the wrong type, a malformed line) is rescued, dropped or reported exactly as it always was;
 * for a line this reader does read, the row is the one Jackson's tree of it gives.
 *
 * <p>Measured on the benchmark's cold 1M-event update (docs/benchmarks.md, Sitting 9): Jackson's
 * trees, the Java strings of their values and the encoding of those back to UTF-8 when rows are
 * written cost about an eighth of the process's CPU time.
 */
final class FlatJsonReader {

  private static final int NOT_A_COLUMN = -1;

  /** Jackson's default limit on a number's characters, above which its path reports the line. */
  private static final int MAX_NUMBER_LENGTH = 1000;

  /** How a column takes a JSON value. */
  private enum Kind {
    TEXT,
    BOOLEAN,
    INTEGRAL,
    DOUBLE,
    DECIMAL,
    TEMPORAL,
    /** Only {@code null} is read here; any other value goes to Jackson (FLOAT). */
    OTHER
  }

  private final byte[][] names;
  private final Kind[] kinds;
  private final LogicalType[] types;
  private final long[] min;
  private final long[] max;
  private final int[] slots;
  private final int slotMask;
  private final int arity;

  /** A reader of the data columns of {@code layout}; the rescued data column stays null. */
  FlatJsonReader(RowLayout layout) {
    int columns = layout.dataColumns();
    this.arity = layout.arity();
    this.names = new byte[columns][];
    this.kinds = new Kind[columns];
    this.types = new LogicalType[columns];
    this.min = new long[columns];
    this.max = new long[columns];
    int size = Integer.highestOneBit(Math.max(4, columns * 4) - 1) << 1;
    this.slots = new int[size];
    this.slotMask = size - 1;
    java.util.Arrays.fill(slots, NOT_A_COLUMN);
    for (int i = 0; i < columns; i++) {
      names[i] = layout.nameAt(i).getBytes(StandardCharsets.UTF_8);
      types[i] = layout.typeAt(i);
      kinds[i] = kind(types[i], i);
      int slot = hash(names[i], 0, names[i].length) & slotMask;
      while (slots[slot] != NOT_A_COLUMN) {
        slot = (slot + 1) & slotMask;
      }
      slots[slot] = i;
    }
  }

  private Kind kind(LogicalType type, int column) {
    switch (type.getTypeRoot()) {
      case CHAR:
      case VARCHAR:
        return Kind.TEXT;
      case BOOLEAN:
        return Kind.BOOLEAN;
      case TINYINT:
        return integral(column, Byte.MIN_VALUE, Byte.MAX_VALUE);
      case SMALLINT:
        return integral(column, Short.MIN_VALUE, Short.MAX_VALUE);
      case INTEGER:
        return integral(column, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case BIGINT:
        return integral(column, Long.MIN_VALUE, Long.MAX_VALUE);
      case DOUBLE:
        return Kind.DOUBLE;
      case DECIMAL:
        return ((DecimalType) type).getPrecision() <= 18 ? Kind.DECIMAL : Kind.OTHER;
      case DATE:
      case TIMESTAMP_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return Kind.TEMPORAL;
      default:
        return Kind.OTHER;
    }
  }

  private Kind integral(int column, long low, long high) {
    min[column] = low;
    max[column] = high;
    return Kind.INTEGRAL;
  }

  /**
   * The row {@code line} holds, its string values slices of {@code line} (which must not change
   * afterwards); {@code null} when the line is not a flat object of columns and fitting values.
   */
  GenericRowData read(byte[] line) {
    Cursor in = new Cursor(line);
    in.skipWhitespace();
    if (!in.take('{')) {
      return null;
    }
    GenericRowData row = new GenericRowData(arity);
    boolean[] seen = new boolean[names.length];
    int expected = 0;
    in.skipWhitespace();
    if (in.take('}')) {
      return in.atEndAfterWhitespace() ? row : null;
    }
    while (true) {
      in.skipWhitespace();
      if (!in.take('"')) {
        return null;
      }
      int nameStart = in.position;
      int nameEnd = in.plainStringEnd();
      if (nameEnd < 0) {
        return null;
      }
      int column = column(line, nameStart, nameEnd, expected);
      // an unknown field is rescued or evolves the schema, and Jackson keeps a repeated field's
      // last
      if (column == NOT_A_COLUMN || seen[column]) {
        return null;
      }
      seen[column] = true;
      expected = column + 1;
      in.skipWhitespace();
      if (!in.take(':')) {
        return null;
      }
      in.skipWhitespace();
      if (!readValue(in, column, row)) {
        return null;
      }
      in.skipWhitespace();
      if (in.take('}')) {
        return in.atEndAfterWhitespace() ? row : null;
      }
      if (!in.take(',')) {
        return null;
      }
    }
  }

  /** Reads the value at the cursor into {@code row}; false when it is not one this reader takes. */
  private boolean readValue(Cursor in, int column, GenericRowData row) {
    if (in.takeLiteral("null")) {
      return true; // every column takes null
    }
    Kind kind = kinds[column];
    switch (kind) {
      case TEXT:
        {
          StringData text = in.take('"') ? in.string() : in.scalarText();
          if (text == null) {
            return false; // an object's or an array's text: as Jackson writes it
          }
          row.setField(column, text);
          return true;
        }
      case BOOLEAN:
        if (in.takeLiteral("true")) {
          row.setField(column, Boolean.TRUE);
          return true;
        }
        if (in.takeLiteral("false")) {
          row.setField(column, Boolean.FALSE);
          return true;
        }
        return false;
      case INTEGRAL:
        {
          JsonNumber number = in.number();
          if (number == null || number.fractionDigits >= 0 || number.hasExponent) {
            return false;
          }
          long value = number.mantissa;
          if (number.digits > 18 || value < min[column] || value > max[column]) {
            return false;
          }
          row.setField(column, integral(types[column], value));
          return true;
        }
      case DOUBLE:
        {
          JsonNumber number = in.number();
          if (number == null) {
            return false;
          }
          row.setField(column, number.doubleValue(in.line));
          return true;
        }
      case DECIMAL:
        {
          JsonNumber number = in.number();
          DecimalData value = number == null ? null : number.decimal((DecimalType) types[column]);
          if (value == null) {
            return false;
          }
          row.setField(column, value);
          return true;
        }
      case TEMPORAL:
        {
          StringData text = in.take('"') ? in.string() : null;
          if (text == null) {
            return false;
          }
          Object value = ValueConverter.fromText(text.toString(), types[column]);
          if (value == ValueConverter.MISMATCH) {
            return false; // rescued or dropped by Jackson's path
          }
          row.setField(column, value);
          return true;
        }
      default:
        return false;
    }
  }

  private static Object integral(LogicalType type, long value) {
    return switch (type.getTypeRoot()) {
      case TINYINT -> (byte) value;
      case SMALLINT -> (short) value;
      case INTEGER -> (int) value;
      default -> value;
    };
  }

  /** The column named by {@code line[start, end)}: first the one after the last, as files keep an order. */
  private int column(byte[] line, int start, int end, int expected) {
    if (expected < names.length && equal(names[expected], line, start, end)) {
      return expected;
    }
    int slot = hash(line, start, end) & slotMask;
    while (slots[slot] != NOT_A_COLUMN) {
      int column = slots[slot];
      if (equal(names[column], line, start, end)) {
        return column;
      }
      slot = (slot + 1) & slotMask;
    }
    return NOT_A_COLUMN;
  }

  private static boolean equal(byte[] name, byte[] line, int start, int end) {
    return name.length == end - start
        && java.util.Arrays.equals(name, 0, name.length, line, start, end);
  }

  private static int hash(byte[] bytes, int start, int end) {
    int hash = 0;
    for (int i = start; i < end; i++) {
      hash = 31 * hash + bytes[i];
    }
    return hash ^ (hash >>> 16);
  }

  /** A plain JSON number's parts, as the grammar allows them: {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}. */
  private static final class JsonNumber {
    private final int start;
    private final int end;

    /** The digits without the point, as long as they fit 18 digits. */
    private final long mantissa;

    private final int digits;

    /** How many of the digits follow the point, -1 without a point. */
    private final int fractionDigits;

    private final boolean hasExponent;

    private JsonNumber(
        int start, int end, long mantissa, int digits, int fractionDigits, boolean hasExponent) {
      this.start = start;
      this.end = end;
      this.mantissa = mantissa;
      this.digits = digits;
      this.fractionDigits = fractionDigits;
      this.hasExponent = hasExponent;
    }

    private static final double[] POWERS_OF_TEN = {
      1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
      1e17, 1e18, 1e19, 1e20, 1e21, 1e22
    };

    /**
     * The number as Jackson's {@code doubleValue()} of it gives, which is correctly rounded: up to 15
     * digits and 22 after the point, the quotient of two exactly represented doubles (rounded once);
     * otherwise {@link Double#parseDouble}. Zero is positive, as a BigDecimal's is.
     */
    double doubleValue(byte[] line) {
      if (mantissa == 0 && !hasExponent) {
        return 0.0;
      }
      if (!hasExponent && digits <= 15) {
        return fractionDigits <= 0 ? mantissa : mantissa / POWERS_OF_TEN[fractionDigits];
      }
      double value =
          Double.parseDouble(new String(line, start, end - start, StandardCharsets.ISO_8859_1));
      return value == 0.0 ? 0.0 : value;
    }

    /** The number as DECIMAL(p, s) of at most 18 digits, {@code null} if it would be rounded or too wide. */
    DecimalData decimal(DecimalType type) {
      if (hasExponent || digits > 18) {
        return null;
      }
      int scale = type.getScale();
      int fraction = Math.max(fractionDigits, 0);
      if (fraction > scale) {
        return null; // rounding HALF_UP, as Jackson's path does, is left to it
      }
      int shift = scale - fraction;
      if (digits + shift > 18) {
        return null;
      }
      long unscaled = Math.abs(mantissa);
      for (int i = 0; i < shift; i++) {
        unscaled *= 10;
      }
      long limit = 1;
      for (int i = 0; i < type.getPrecision(); i++) {
        limit *= 10;
      }
      if (unscaled >= limit) {
        return null;
      }
      return DecimalData.fromUnscaledLong(
          mantissa < 0 ? -unscaled : unscaled, type.getPrecision(), scale);
    }
  }

  /** A position in one line. */
  private static final class Cursor {
    private final byte[] line;
    private int position;

    private Cursor(byte[] line) {
      this.line = line;
    }

    void skipWhitespace() {
      while (position < line.length) {
        byte b = line[position];
        if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
          return;
        }
        position++;
      }
    }

    boolean take(char expected) {
      if (position < line.length && line[position] == expected) {
        position++;
        return true;
      }
      return false;
    }

    boolean atEndAfterWhitespace() {
      skipWhitespace();
      return position == line.length;
    }

    /** Takes {@code literal} if it is followed by a delimiter, not by more letters ({@code nullx}). */
    boolean takeLiteral(String literal) {
      int end = position + literal.length();
      if (end > line.length) {
        return false;
      }
      for (int i = 0; i < literal.length(); i++) {
        if (line[position + i] != literal.charAt(i)) {
          return false;
        }
      }
      if (end < line.length && !isDelimiter(line[end])) {
        return false;
      }
      position = end;
      return true;
    }

    private static boolean isDelimiter(byte b) {
      return b == ',' || b == '}' || b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /**
     * Moves past the closing quote of a string whose opening quote was taken and returns where its
     * text ends; -1 for a string this reader leaves to Jackson: one with an escape, an unescaped
     * control character (malformed), bytes that are not well-formed UTF-8, or no closing quote.
     */
    int plainStringEnd() {
      int end = stringEnd();
      return escaped ? -1 : end;
    }

    /** Whether the string {@link #stringEnd} last passed holds an escape. */
    private boolean escaped;

    /** As {@link #plainStringEnd}, but passing escapes (each a backslash and the character after it). */
    private int stringEnd() {
      escaped = false;
      int i = position;
      while (i < line.length) {
        int b = line[i];
        if (b == '"') {
          position = i + 1;
          return i;
        }
        if (b == '\\') {
          escaped = true;
          i += 2;
        } else if (b >= 0 && b < 0x20) {
          return -1;
        } else if (b < 0) {
          int length = Utf8.sequenceLength(line, i);
          if (length < 0) {
            return -1;
          }
          i += length;
        } else {
          i++;
        }
      }
      return -1;
    }

    /**
     * The string whose opening quote was taken: a slice of the line, or a copy without its escapes
     * when it has some; {@code null} for one left to Jackson (see {@link #plainStringEnd}; also an
     * escaped surrogate, whose pairing Jackson's path checks, and a backslash JSON has no escape for).
     */
    StringData string() {
      int start = position;
      int end = stringEnd();
      if (end < 0) {
        return null;
      }
      if (!escaped) {
        return BinaryStringData.fromBytes(line, start, end - start);
      }
      byte[] text = new byte[end - start];
      int length = 0;
      for (int i = start; i < end; i++) {
        byte b = line[i];
        if (b != '\\') {
          text[length++] = b;
          continue;
        }
        byte escape = line[++i];
        switch (escape) {
          case '"', '\\', '/' -> text[length++] = escape;
          case 'b' -> text[length++] = '\b';
          case 'f' -> text[length++] = '\f';
          case 'n' -> text[length++] = '\n';
          case 'r' -> text[length++] = '\r';
          case 't' -> text[length++] = '\t';
          case 'u' -> {
            int c = i + 4 < end ? hex(i + 1) : -1;
            if (c < 0 || Character.isSurrogate((char) c)) {
              return null;
            }
            i += 4;
            if (c < 0x80) {
              text[length++] = (byte) c;
            } else if (c < 0x800) {
              text[length++] = (byte) (0xC0 | (c >> 6));
              text[length++] = (byte) (0x80 | (c & 0x3F));
            } else {
              text[length++] = (byte) (0xE0 | (c >> 12));
              text[length++] = (byte) (0x80 | ((c >> 6) & 0x3F));
              text[length++] = (byte) (0x80 | (c & 0x3F));
            }
          }
          default -> {
            return null; // not an escape JSON has: malformed
          }
        }
      }
      return BinaryStringData.fromBytes(java.util.Arrays.copyOf(text, length));
    }

    /** The four hexadecimal digits at {@code line[from]} as a number, or -1. */
    private int hex(int from) {
      int value = 0;
      for (int i = from; i < from + 4; i++) {
        int digit = Character.digit(line[i], 16);
        if (digit < 0) {
          return -1;
        }
        value = value * 16 + digit;
      }
      return value;
    }

    /**
     * A number or a boolean in a text column (an inferred schema's columns are all STRING): its text as
     * it stands in the line, where that is the text Jackson's node gives ({@code asText()}); {@code null}
     * otherwise: an exponent or a leading zero ({@code 1e3}, {@code 0.5}, {@code -0}), which Jackson's
     * {@code BigDecimal} and integer nodes write differently ({@code 1E+3}, {@code 5E-7} for {@code
     * 0.0000005}, {@code 0}), and anything that is not a number or a boolean.
     */
    StringData scalarText() {
      int start = position;
      if (takeLiteral("true") || takeLiteral("false")) {
        return BinaryStringData.fromBytes(line, start, position - start);
      }
      JsonNumber number = number();
      if (number == null) {
        return null;
      }
      int digitsStart = line[start] == '-' ? start + 1 : start;
      if (number.hasExponent || line[digitsStart] == '0') {
        position = start;
        return null;
      }
      return BinaryStringData.fromBytes(line, start, position - start);
    }

    /** Takes a plain JSON number followed by a delimiter; {@code null} if there is none. */
    JsonNumber number() {
      int start = position;
      int i = position;
      boolean negative = i < line.length && line[i] == '-';
      if (negative) {
        i++;
      }
      long mantissa = 0;
      int digits = 0;
      int integerStart = i;
      while (i < line.length && isDigit(line[i])) {
        mantissa = digits < 18 ? mantissa * 10 + (line[i] - '0') : mantissa;
        digits++;
        i++;
      }
      int integerDigits = i - integerStart;
      if (integerDigits == 0 || (integerDigits > 1 && line[integerStart] == '0')) {
        return null;
      }
      int fractionDigits = -1;
      if (i < line.length && line[i] == '.') {
        i++;
        int fractionStart = i;
        while (i < line.length && isDigit(line[i])) {
          mantissa = digits < 18 ? mantissa * 10 + (line[i] - '0') : mantissa;
          digits++;
          i++;
        }
        fractionDigits = i - fractionStart;
        if (fractionDigits == 0) {
          return null;
        }
      }
      boolean hasExponent = false;
      if (i < line.length && (line[i] == 'e' || line[i] == 'E')) {
        hasExponent = true;
        i++;
        if (i < line.length && (line[i] == '+' || line[i] == '-')) {
          i++;
        }
        int exponentStart = i;
        while (i < line.length && isDigit(line[i])) {
          i++;
        }
        if (i == exponentStart) {
          return null;
        }
      }
      if ((i < line.length && !isDelimiter(line[i])) || i - start > MAX_NUMBER_LENGTH) {
        return null;
      }
      position = i;
      return new JsonNumber(
          start, i, negative ? -mantissa : mantissa, digits, fractionDigits, hasExponent);
    }

    private static boolean isDigit(byte b) {
      return b >= '0' && b <= '9';
    }
  }

  /** Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
  private static final class Utf8 {

    /** The length of the well-formed sequence starting at {@code line[i]} (a lead byte), or -1. */
    static int sequenceLength(byte[] line, int i) {
      int lead = line[i] & 0xFF;
      if (lead >= 0xC2 && lead <= 0xDF) {
        return continuation(line, i + 1, 0x80, 0xBF) ? 2 : -1;
      }
      if (lead >= 0xE0 && lead <= 0xEF) {
        int low = lead == 0xE0 ? 0xA0 : 0x80;
        int high = lead == 0xED ? 0x9F : 0xBF;
        return continuation(line, i + 1, low, high) && continuation(line, i + 2, 0x80, 0xBF)
            ? 3
            : -1;
      }
      if (lead >= 0xF0 && lead <= 0xF4) {
        int low = lead == 0xF0 ? 0x90 : 0x80;
        int high = lead == 0xF4 ? 0x8F : 0xBF;
        return continuation(line, i + 1, low, high)
                && continuation(line, i + 2, 0x80, 0xBF)
                && continuation(line, i + 3, 0x80, 0xBF)
            ? 4
            : -1;
      }
      return -1;
    }

    private static boolean continuation(byte[] line, int i, int low, int high) {
      if (i >= line.length) {
        return false;
      }
      int b = line[i] & 0xFF;
      return b >= low && b <= high;
    }
  }
}
