package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import java.nio.charset.StandardCharsets;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

/** The {@code mode} option line by line, with and without a rescued data column. */
class AutoLoaderParseModeTest {

  private static LineParser parser(AutoLoader spec) {
    AutoLoaderOptions options = AutoLoaderOptions.of(spec);
    RowType type =
        AutoLoaderSchemas.resolve(spec, "/unused", new org.apache.hadoop.conf.Configuration());
    return LineParser.create(options, type, "src", "file:/in/a.json");
  }

  private static RowData parse(LineParser parser, String line, long number) {
    return parser.parse(line.getBytes(StandardCharsets.UTF_8), number);
  }

  @Test
  void dropMalformedDropsAndCountsMalformedLinesAndTypeMismatchesWithoutARescuedColumn() {
    LineParser parser =
        parser(AutoLoader.json("/in").schema("id STRING, n INT").option("mode", "DROPMALFORMED"));

    assertThat(parse(parser, "{\"id\":\"a\",\"n\":1,\"extra\":true}", 1).getString(0).toString())
        .isEqualTo("a");
    assertThat(parse(parser, "{oops", 2)).isNull();
    assertThat(parse(parser, "{\"id\":\"b\",\"n\":\"x\"}", 3)).isNull();
    assertThat(parse(parser, "[1]", 4)).isNull();
    assertThat(parser.droppedRecords()).isEqualTo(3);
  }

  @Test
  void dropMalformedWithARescuedColumnDropsMalformedLinesButRescuesTypeMismatches() {
    LineParser parser =
        parser(
            AutoLoader.json("/in")
                .schema("id STRING, n INT")
                .option("mode", "DROPMALFORMED")
                .option("rescuedDataColumn", "bad"));

    assertThat(parse(parser, "{oops", 1)).isNull();
    RowData mismatch = parse(parser, "{\"id\":\"b\",\"n\":\"x\"}", 2);
    assertThat(mismatch.isNullAt(1)).isTrue();
    assertThat(mismatch.getString(2).toString())
        .isEqualTo("{\"n\":\"x\",\"_file_path\":\"file:/in/a.json\"}");
    assertThat(parser.droppedRecords()).isEqualTo(1);
  }

  @Test
  void failFastWithoutARescuedColumnNamesFileLineAndEveryFix() {
    LineParser parser =
        parser(AutoLoader.json("/in").schema("id STRING").option("mode", "FAILFAST"));

    assertThatThrownBy(() -> parse(parser, "{oops", 7))
        .hasMessage(
            "Auto Loader source 'src': malformed record in file file:/in/a.json at line 7: Unexpected "
                + "character ('o' (code 111)): was expecting double-quote to start field name. The option mode=FAILFAST "
                + "stops at the first malformed record; fix the file, or use mode=PERMISSIVE to read such records with "
                + "NULLs where they do not fit (and option rescuedDataColumn to keep what does not fit in a column), or "
                + "mode=DROPMALFORMED to drop them.");
  }

  @Test
  void aFieldNamedLikeTheRescuedColumnIsItselfRescuedNotTakenAsTheColumn() {
    LineParser parser =
        parser(AutoLoader.json("/in").schema("id STRING").option("rescuedDataColumn", "bad"));

    RowData row = parse(parser, "{\"id\":\"a\",\"bad\":\"from the file\",\"Id\":\"b\"}", 1);

    assertThat(row.getString(0).toString()).isEqualTo("a");
    assertThat(row.getString(1).toString())
        .isEqualTo("{\"bad\":\"from the file\",\"Id\":\"b\",\"_file_path\":\"file:/in/a.json\"}");
  }
}
