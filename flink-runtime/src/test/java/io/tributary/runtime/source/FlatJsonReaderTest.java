package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

/**
 * The flat JSON reader gives, for every line it reads, the row Jackson's tree of the line gives, and
 * leaves every line it cannot read that way to Jackson: tried on the lines events hold, on each edge
 * of the grammar, and on 20,000 random lines made of fitting and unfitting pieces.
 */
class FlatJsonReaderTest {

  private static final String SCHEMA =
      "id STRING, n INT, big BIGINT, tiny TINYINT, ok BOOLEAN, d DOUBLE, amount DECIMAL(10, 2), "
          + "day DATE, at TIMESTAMP(3), f FLOAT";

  private final AutoLoader spec =
      AutoLoader.json("/in").schema(SCHEMA).option("rescuedDataColumn", "_rescued_data");
  private final RowType type =
      AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());
  private final JsonLineParser parser =
      (JsonLineParser)
          LineParser.create(AutoLoaderOptions.of(spec), type, "src", "file:/in/a.json");
  private final FlatJsonReader reader =
      new FlatJsonReader(new RowLayout(type, RowLayout.RESCUED_DATA));

  @Test
  void readsTheLinesEventsHoldAsJacksonDoes() {
    for (String line :
        List.of(
            "{\"id\":\"evt-0000000001\",\"n\":7,\"big\":-9000000000,\"tiny\":-128,\"ok\":true,"
                + "\"d\":59.546,\"amount\":392.13,\"day\":\"2024-05-21\","
                + "\"at\":\"2024-05-21T11:46:35.830Z\",\"f\":null}",
            "{}",
            "  { \"id\" : \"a b\" , \"n\" : 0 }  ",
            "{\"n\":1,\"id\":\"order differs\"}",
            "{\"id\":\"Zoë, 東京, 😀\",\"amount\":5}",
            "{\"id\":\"\",\"d\":1e3,\"amount\":-0.5,\"day\":\"\"}",
            "{\"d\":-0.0}",
            "{\"id\":12}", // an inferred schema's STRING column: the number's text
            "{\"id\":-1.50}",
            "{\"id\":true}",
            "{\"id\":\"{\\\"page\\\":\\\"/c/1\\\"} \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9\\u6771\\u0041\"}",
            "{\"d\":123456789012345678901234567890}",
            "{\"d\":0.1234567890123456789}")) {
      assertThat(reader.read(bytes(line))).as(line).isNotNull();
      assertSameRow(line);
    }
  }

  @Test
  void leavesToJacksonWhatItMustRescueDecodeOrReport() {
    for (String line :
        List.of(
            "{\"id\":\"\\ud83d\\ude00\"}", // an escaped surrogate pair: Jackson pairs it
            "{\"id\":\"\\x41\"}", // not an escape JSON has: malformed
            "{\"i\\u0064\":\"x\"}", // an escape in a name
            "{\"id\":\"raw\ttab\"}", // an unescaped control character: malformed
            "{\"other\":1}", // an unknown field: rescued
            "{\"Id\":\"x\"}", // a column's name in another case: rescued
            "{\"_rescued_data\":\"x\"}", // the rescued column's name: rescued
            "{\"id\":\"a\",\"id\":\"b\"}", // a repeated field: Jackson keeps the last
            "{\"n\":\"12\"}", // text for a number: rescued
            "{\"n\":1.5}", // a fraction for an INT: rescued
            "{\"n\":2147483648}", // beyond INT: rescued
            "{\"tiny\":128}",
            "{\"big\":-9223372036854775808}", // 19 digits: left to Jackson, which reads it
            "{\"amount\":1.005}", // rounded HALF_UP by Jackson's path
            "{\"amount\":123456789.1}", // too wide for DECIMAL(10, 2): rescued
            "{\"amount\":\"1.50\"}", // text for a DECIMAL: Jackson's path reads it
            "{\"id\":1e3}", // an exponent in a STRING: Jackson writes 1E+3
            "{\"id\":0.0000005}", // Jackson writes 5E-7
            "{\"id\":-0}", // Jackson writes 0
            "{\"id\":{\"a\":1}}", // an object for a STRING: its text
            "{\"ok\":\"true\"}",
            "{\"day\":\"yesterday\"}",
            "{\"f\":1.5}", // FLOAT: Jackson's path
            "{\"n\":01}", // a leading zero: malformed
            "{\"n\":1,}", // a trailing comma: malformed
            "{\"n\":1}{\"n\":2}", // trailing tokens: malformed
            "{\"n\":nul}",
            "{\"n\":1",
            "[1]",
            "\"just text\"",
            "{\"id\":\"ends in a backslash\\\"}")) {
      assertThat(reader.read(bytes(line))).as(line).isNull();
    }
    byte[] badUtf8 = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, '(', '"', '}'};
    assertThat(reader.read(badUtf8)).isNull();
    byte[] surrogate = {
      '{', '"', 'i', 'd', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'
    };
    assertThat(reader.read(surrogate)).isNull();
    byte[] overlong = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
    assertThat(reader.read(overlong)).isNull();
  }

  @Test
  void negativeZeroIsReadAsJacksonsPositiveZero() {
    RowData row = reader.read(bytes("{\"d\":-0.0}"));

    assertThat(Double.doubleToRawLongBits(row.getDouble(5)))
        .isEqualTo(Double.doubleToRawLongBits(0.0));
  }

  @Test
  void everyRandomLineItReadsIsTheRowJacksonReads() {
    Random random = new Random(42);
    int read = 0;
    for (int i = 0; i < 20_000; i++) {
      String line = randomLine(random);
      if (reader.read(bytes(line)) != null) {
        read++;
        assertSameRow(line);
      }
    }
    assertThat(read).as("lines read without Jackson").isBetween(2_000, 18_000);
  }

  private void assertSameRow(String line) {
    GenericRowData flat = reader.read(bytes(line));
    RowData tree = parser.parseTree(bytes(line), 1);
    assertThat(tree).as("Jackson's row of %s", line).isNotNull();
    for (int i = 0; i < type.getFieldCount(); i++) {
      RowData.FieldGetter getter = RowData.createFieldGetter(type.getTypeAt(i), i);
      Object expected = getter.getFieldOrNull(tree);
      Object actual = getter.getFieldOrNull(flat);
      String what = type.getFieldNames().get(i) + " of " + line;
      if (expected instanceof Double d) {
        assertThat(Double.doubleToRawLongBits((Double) actual))
            .as(what + ": " + actual + " vs " + d)
            .isEqualTo(Double.doubleToRawLongBits(d));
      } else if (expected instanceof StringData s) {
        assertThat(((StringData) actual).toBytes()).as(what).isEqualTo(s.toBytes());
      } else {
        assertThat(actual).as(what).isEqualTo(expected);
      }
    }
  }

  private static final String[] NAMES = {
    "id", "n", "big", "tiny", "ok", "d", "amount", "day", "at", "f", "other", "Id"
  };

  private static final String[] VALUES = {
    "\"plain\"",
    "\"\"",
    "\"Zoë 東京\"",
    "\"a\\\"b\"",
    "\"\\u00e9\"",
    "0",
    "-0",
    "7",
    "-12",
    "01",
    "127",
    "128",
    "-129",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "1.5",
    "-0.0",
    "0.10",
    "1.005",
    "392.13",
    "99999999.99",
    "100000000",
    "1e3",
    "1E-2",
    "-2.5e+10",
    "1e400",
    "1.",
    ".5",
    "-",
    "true",
    "false",
    "null",
    "nul",
    "\"2024-05-21\"",
    "\"2024-05-21T11:46:35.830Z\"",
    "\"2024-05-21 11:46:35\"",
    "\"2024-13-01\"",
    "{}",
    "[1,2]",
    "0.1234567890123456789",
    "12345678901234567890",
    "3.141592653589793"
  };

  /** A line of random fields and values, some fitting, some not, with random spacing and damage. */
  private static String randomLine(Random random) {
    int fields = random.nextInt(6);
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < fields; i++) {
      String space = random.nextInt(5) == 0 ? " " : "";
      parts.add(
          space
              + "\""
              + NAMES[random.nextInt(NAMES.length)]
              + "\""
              + space
              + ":"
              + space
              + VALUES[random.nextInt(VALUES.length)]
              + space);
    }
    String line = "{" + String.join(",", parts) + "}";
    switch (random.nextInt(12)) {
      case 0:
        return line.substring(0, random.nextInt(line.length()));
      case 1:
        return line + "x";
      case 2:
        return " " + line + "\t";
      default:
        return line;
    }
  }

  private static byte[] bytes(String line) {
    return line.getBytes(StandardCharsets.UTF_8);
  }
}
