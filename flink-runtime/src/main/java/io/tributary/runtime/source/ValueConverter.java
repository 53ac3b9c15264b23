package io.tributary.runtime.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;

/**
 * Converts one JSON value or one CSV field into Flink's internal representation of a column type, or
 * says it does not fit ({@link #MISMATCH}), so the caller can rescue the original value instead of
 * losing it. Strict on purpose: a JSON string {@code "12"} does not become an INT (it is rescued), as
 * Auto Loader does; only DECIMAL, DATE and the timestamps accept text, because JSON has no other way
 * to write them.
 */
final class ValueConverter {

  /** The value does not fit the column type. */
  static final Object MISMATCH = new Object();

  private ValueConverter() {}

  /** Column types the converters can produce; others are rejected when the schema is resolved. */
  static boolean supports(LogicalType type) {
    return switch (type.getTypeRoot()) {
      case CHAR,
          VARCHAR,
          BOOLEAN,
          TINYINT,
          SMALLINT,
          INTEGER,
          BIGINT,
          FLOAT,
          DOUBLE,
          DECIMAL,
          DATE,
          TIMESTAMP_WITHOUT_TIME_ZONE,
          TIMESTAMP_WITH_LOCAL_TIME_ZONE ->
          true;
      default -> false;
    };
  }

  /** The names of the columns of {@code type} whose types are not {@link #supports supported}. */
  static List<String> unsupportedColumns(RowType type) {
    List<String> names = new ArrayList<>();
    for (RowType.RowField field : type.getFields()) {
      if (!supports(field.getType())) {
        names.add(field.getName() + " " + field.getType().asSummaryString());
      }
    }
    return names;
  }

  /** A JSON value as the column type; {@code null} for JSON null. */
  static Object fromJson(JsonNode node, LogicalType type) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    switch (type.getTypeRoot()) {
      case CHAR:
      case VARCHAR:
        return StringData.fromString(node.isValueNode() ? node.asText() : node.toString());
      case BOOLEAN:
        return node.isBoolean() ? node.booleanValue() : MISMATCH;
      case TINYINT:
        return integral(node, Byte.MIN_VALUE, Byte.MAX_VALUE) instanceof Long l
            ? (Object) l.byteValue()
            : MISMATCH;
      case SMALLINT:
        return integral(node, Short.MIN_VALUE, Short.MAX_VALUE) instanceof Long l
            ? (Object) l.shortValue()
            : MISMATCH;
      case INTEGER:
        return integral(node, Integer.MIN_VALUE, Integer.MAX_VALUE) instanceof Long l
            ? (Object) l.intValue()
            : MISMATCH;
      case BIGINT:
        return integral(node, Long.MIN_VALUE, Long.MAX_VALUE);
      case FLOAT:
        return node.isNumber() ? (Object) node.floatValue() : MISMATCH;
      case DOUBLE:
        return node.isNumber() ? (Object) node.doubleValue() : MISMATCH;
      case DECIMAL:
        if (node.isNumber()) {
          return decimal(node.decimalValue(), (DecimalType) type);
        }
        return node.isTextual() ? fromText(node.textValue(), type) : MISMATCH;
      case DATE:
      case TIMESTAMP_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return node.isTextual() ? fromText(node.textValue(), type) : MISMATCH;
      default:
        throw new IllegalStateException("unsupported column type reached the reader: " + type);
    }
  }

  /** A text field (CSV) as the column type; an empty field is {@code null}. */
  static Object fromText(String text, LogicalType type) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      switch (type.getTypeRoot()) {
        case CHAR:
        case VARCHAR:
          return StringData.fromString(text);
        case BOOLEAN:
          if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
          }
          return MISMATCH;
        case TINYINT:
          return Byte.parseByte(text.trim());
        case SMALLINT:
          return Short.parseShort(text.trim());
        case INTEGER:
          return Integer.parseInt(text.trim());
        case BIGINT:
          return Long.parseLong(text.trim());
        case FLOAT:
          return Float.parseFloat(text.trim());
        case DOUBLE:
          return Double.parseDouble(text.trim());
        case DECIMAL:
          return decimal(new BigDecimal(text.trim()), (DecimalType) type);
        case DATE:
          return (int) LocalDate.parse(text.trim()).toEpochDay();
        case TIMESTAMP_WITHOUT_TIME_ZONE:
          return TimestampData.fromLocalDateTime(
              truncate(localDateTime(text.trim()), ((TimestampType) type).getPrecision()));
        case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
          return TimestampData.fromInstant(
              truncate(localDateTime(text.trim()), ((LocalZonedTimestampType) type).getPrecision())
                  .toInstant(ZoneOffset.UTC));
        default:
          throw new IllegalStateException("unsupported column type reached the reader: " + type);
      }
    } catch (NumberFormatException | DateTimeException | ArithmeticException e) {
      return MISMATCH;
    }
  }

  private static Object integral(JsonNode node, long min, long max) {
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      return MISMATCH;
    }
    long value = node.longValue();
    return value < min || value > max ? MISMATCH : (Object) value;
  }

  private static Object decimal(BigDecimal value, DecimalType type) {
    DecimalData data = DecimalData.fromBigDecimal(value, type.getPrecision(), type.getScale());
    return data == null ? MISMATCH : data;
  }

  /**
   * An ISO-8601 date-time ({@code 2024-03-15T12:34:56.789Z}, {@code 2024-03-15 12:34:56},
   * {@code +01:00} offsets) as a UTC local date-time; without an offset it is taken as UTC.
   */
  private static LocalDateTime localDateTime(String text) {
    LocalDateTime common = commonLayout(text);
    if (common != null) {
      return common;
    }
    String iso =
        text.length() > 10 && text.charAt(10) == ' '
            ? text.substring(0, 10) + 'T' + text.substring(11)
            : text;
    try {
      return OffsetDateTime.parse(iso).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    } catch (DateTimeParseException withoutOffset) {
      if (iso.length() == 10) {
        return LocalDate.parse(iso).atStartOfDay();
      }
      return LocalDateTime.parse(iso);
    }
  }

  /**
   * The layout almost every event uses, {@code yyyy-MM-ddTHH:mm:ss[.f...][Z]} (or a space for the
   * {@code T}), read without java.time's general parser, which costs about a microsecond a value;
   * {@code null} for any other layout. Field ranges are still checked by {@code LocalDateTime.of}.
   */
  private static LocalDateTime commonLayout(String text) {
    int length = text.length();
    if (length < 19
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || (text.charAt(10) != 'T' && text.charAt(10) != ' ')
        || text.charAt(13) != ':'
        || text.charAt(16) != ':') {
      return null;
    }
    int end = text.charAt(length - 1) == 'Z' ? length - 1 : length;
    int nanos = 0;
    if (end > 19) {
      int digits = end - 20;
      if (text.charAt(19) != '.' || digits < 1 || digits > 9) {
        return null;
      }
      int fraction = digits(text, 20, end);
      if (fraction < 0) {
        return null;
      }
      nanos = fraction * (int) Math.pow(10, 9 - digits);
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 7);
    int day = digits(text, 8, 10);
    int hour = digits(text, 11, 13);
    int minute = digits(text, 14, 16);
    int second = digits(text, 17, 19);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    return LocalDateTime.of(year, month, day, hour, minute, second, nanos);
  }

  /** The decimal number in {@code text[from, to)}, or -1 if a character is not a digit. */
  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static LocalDateTime truncate(LocalDateTime value, int precision) {
    if (precision >= 9) {
      return value;
    }
    long unit = (long) Math.pow(10, 9 - precision);
    return value.withNano((int) (value.getNano() / unit * unit));
  }
}
