package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import java.nio.file.Path;
import org.apache.flink.table.types.logical.RowType;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoLoaderSchemasTest {

  @TempDir Path dir;

  private Path input() {
    return dir.resolve("input");
  }

  private String schemas() {
    return dir.resolve("schemas").toString();
  }

  private RowType resolve(AutoLoader spec) {
    return AutoLoaderSchemas.resolve(spec, schemas(), new Configuration());
  }

  @Test
  void declaredSchemaIsParsedByFlinkWithUnquotedNamesNullableAndNoRescuedColumn() {
    RowType type =
        resolve(
            AutoLoader.json("/in")
                .schema(
                    "event_id STRING NOT NULL, user_id STRING, timestamp TIMESTAMP(3), `amount` DECIMAL(10, 2) COMMENT 'a, b'"));

    assertThat(type.asSerializableString())
        .isEqualTo(
            "ROW<`event_id` VARCHAR(2147483647), `user_id` "
                + "VARCHAR(2147483647), `timestamp` TIMESTAMP(3), `amount` DECIMAL(10, 2) 'a, b'>");
  }

  @Test
  void rescuedDataColumnNamesTheColumnForDeclaredAndInferredSchemas() throws Exception {
    assertThat(
            resolve(
                    AutoLoader.json("/in")
                        .schema("a STRING")
                        .option("rescuedDataColumn", "bad_rows"))
                .getFieldNames())
        .containsExactly("a", "bad_rows");
    java.nio.file.Files.createDirectories(input());
    java.nio.file.Files.writeString(input().resolve("in.json"), "{\"x\":\"1\"}\n");
    assertThat(
            resolve(AutoLoader.json(input().toString()).option("rescuedDataColumn", "bad_rows"))
                .getFieldNames())
        .containsExactly("x", "bad_rows");
    assertThatThrownBy(
            () ->
                resolve(
                    AutoLoader.json("/in")
                        .schema("a STRING, b STRING")
                        .option("rescuedDataColumn", "b")))
        .hasMessage(
            "Auto Loader source on '/in': option 'rescuedDataColumn' is 'b' but must be a name that is not a "
                + "column of the declared schema [a, b] (the rescued data column is added after them). Fix the value "
                + "passed to option(\"rescuedDataColumn\", ...).");
  }

  @Test
  void aTableCreatedWithTheOldDefaultKeepsRescuedData() {
    RowType legacy =
        AutoLoaderSchemas.resolve(
            AutoLoader.json("/in").schema("a STRING"), schemas(), new Configuration(), false, true);
    RowType named =
        AutoLoaderSchemas.resolve(
            AutoLoader.json("/in").schema("a STRING").option("rescuedDataColumn", "r"),
            schemas(),
            new Configuration(),
            false,
            true);

    assertThat(legacy.getFieldNames()).containsExactly("a", "_rescued_data");
    assertThat(named.getFieldNames()).containsExactly("a", "r");
  }

  @Test
  void rescuedColumnCanBeSwitchedOffForDeclaredSchemas() {
    RowType type =
        resolve(AutoLoader.json("/in").schema("a STRING").option("rescuedDataColumn", "false"));

    assertThat(type.getFieldNames()).containsExactly("a");
  }

  @Test
  void badDdlIsAClearError() {
    assertThatThrownBy(() -> resolve(AutoLoader.json("/in").schema("a STRING,, b INT")))
        .isInstanceOf(AutoLoaderException.class)
        .hasMessage(
            "Auto Loader source on '/in': the declared schema [a STRING,, b INT] is not valid: it has an "
                + "empty column definition. Write it as a Flink SQL column list, for example "
                + "\"event_id STRING NOT NULL, user_id STRING, `timestamp` TIMESTAMP(3)\".");
    assertThatThrownBy(() -> resolve(AutoLoader.json("/in").schema("a STRIN, b INT")))
        .hasMessageStartingWith(
            "Auto Loader source on '/in': the declared schema [a STRIN, b INT] is not valid: "
                + "unknown types in [a `STRIN`].");
    assertThatThrownBy(() -> resolve(AutoLoader.json("/in").schema("a DECIMAL(10")))
        .hasMessageStartingWith(
            "Auto Loader source on '/in': the declared schema [a DECIMAL(10] is not valid: "
                + "Could not parse type at position");
    assertThatThrownBy(() -> resolve(AutoLoader.json("/in").schema("a")))
        .hasMessageContaining("is not valid: column 'a' has no type.");
  }

  @Test
  void unsupportedColumnTypesAreNamed() {
    assertThatThrownBy(
            () ->
                resolve(
                    AutoLoader.json("/in").schema("a ARRAY<INT>, b STRING, c MAP<STRING, INT>")))
        .hasMessage(
            "Auto Loader source on '/in': columns [a ARRAY<INT>, c MAP<STRING, INT>] have types the reader "
                + "cannot produce yet. Supported: STRING/CHAR/VARCHAR, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, "
                + "DOUBLE, DECIMAL, DATE, TIMESTAMP(p), TIMESTAMP_LTZ(p). Declare them as STRING (nested JSON values "
                + "are kept as their JSON text) and parse them in a query.");
  }

  @Test
  void unknownOptionIsRejectedWithTheKnownOnes() {
    assertThatThrownBy(() -> resolve(AutoLoader.csv("/in").option("delimeter", ";")))
        .hasMessage(
            "Auto Loader source on '/in': unknown option 'delimeter'. Known options: "
                + AutoLoaderOptions.KNOWN
                + ". Check the key passed to option().");
  }

  @Test
  void jsonSchemaIsInferredAsStringsStoredAndReusedUnchanged() throws Exception {
    Files.write(input(), "a.json", "{\"b\":1,\"a\":\"x\",\"nested\":{\"k\":1}}\n{oops\n");
    Files.write(input(), "sub/b.json", "{\"c\":true,\"A\":\"case twin\"}\n");
    Files.write(input(), "_tmp/ignored.json", "{\"ignored\":1}\n");
    Files.write(input(), ".hidden.json", "{\"hidden\":1}\n");
    AutoLoader spec = AutoLoader.json(input().toString());

    RowType first = resolve(spec);
    Files.write(input(), "c.json", "{\"new_column\":1}\n");
    RowType second = resolve(spec);

    assertThat(first.asSerializableString())
        .isEqualTo(
            "ROW<`a` VARCHAR(2147483647), `b` VARCHAR(2147483647), "
                + "`c` VARCHAR(2147483647), `nested` VARCHAR(2147483647), `_rescued_data` VARCHAR(2147483647)>");
    assertThat(second).isEqualTo(first);
    assertThat(
            java.nio.file.Files.readString(
                dir.resolve("schemas").resolve(AutoLoaderSchemas.SCHEMA_FILE)))
        .contains("\"name\" : \"a\"")
        .doesNotContain("new_column")
        .doesNotContain("_rescued_data");
  }

  @Test
  void inferColumnTypesWidensNumbersAndFallsBackToString() {
    Files.write(
        input(),
        "a.json",
        "{\"i\":1,\"d\":1,\"mix\":1,\"flag\":true,\"n\":null,\"s\":\"x\"}\n"
            + "{\"i\":2,\"d\":2.5,\"mix\":\"one\",\"flag\":false}\n");

    RowType type = resolve(AutoLoader.json(input().toString()).option("inferColumnTypes", "true"));

    assertThat(type.asSerializableString())
        .isEqualTo(
            "ROW<`d` DOUBLE, `flag` BOOLEAN, `i` BIGINT, "
                + "`mix` VARCHAR(2147483647), `n` VARCHAR(2147483647), `s` VARCHAR(2147483647), `_rescued_data` VARCHAR(2147483647)>");
  }

  @Test
  void csvSchemaComesFromTheHeaderOrPositions() {
    Files.write(input(), "a.csv", "zeta,alpha,n\nx,y,1\n");
    Path other = dir.resolve("other");
    Files.write(other, "a.csv.gz", Files.gzip("1,2.5\n3,4,true\n"));

    RowType withHeader = resolve(AutoLoader.csv(input().toString()).option("header", "true"));
    RowType positional =
        AutoLoaderSchemas.resolve(
            AutoLoader.csv(other.toString()).option("inferColumnTypes", "true"),
            dir.resolve("schemas2").toString(),
            new Configuration());

    assertThat(withHeader.getFieldNames()).containsExactly("zeta", "alpha", "n", "_rescued_data");
    assertThat(positional.asSerializableString())
        .isEqualTo(
            "ROW<`_c0` BIGINT, `_c1` DOUBLE, `_c2` BOOLEAN, `_rescued_data` VARCHAR(2147483647)>");
  }

  @Test
  void sampleIsBoundedByFileCount() {
    Files.write(input(), "a.json", "{\"first\":1}\n");
    Files.write(input(), "b.json", "{\"second\":1}\n");
    java.io.File a = input().resolve("a.json").toFile();
    java.io.File b = input().resolve("b.json").toFile();
    a.setLastModified(1_000_000L);
    b.setLastModified(2_000_000L);

    RowType type =
        resolve(
            AutoLoader.json(input().toString()).option("schemaInference.sampleSize.numFiles", "1"));

    assertThat(type.getFieldNames()).containsExactly("first", "_rescued_data");
  }

  @Test
  void noFilesAndNoStoredSchemaIsAClearError() {
    assertThatThrownBy(() -> resolve(AutoLoader.json(input().toString())))
        .hasMessage(
            "Auto Loader source on '"
                + input()
                + "': cannot infer a schema: there are no input files under "
                + "the path and no schema stored under '"
                + schemas()
                + "'. Declare the schema with "
                + "AutoLoader.schema(\"col TYPE, ...\"), or add files before the first update.");
  }

  @Test
  void textHasAFixedSchema() {
    assertThat(resolve(AutoLoader.text("/in")).getFieldNames()).containsExactly("value");
  }

  @Test
  void validationInfersWithoutStoring() {
    Files.write(input(), "a.json", "{\"id\":\"1\",\"amount\":2.5}\n");

    RowType type =
        AutoLoaderSchemas.resolve(
            AutoLoader.json(input().toString()), schemas(), new Configuration(), false);

    assertThat(type.getFieldNames()).containsExactlyInAnyOrder("amount", "id", "_rescued_data");
    assertThat(Path.of(schemas(), AutoLoaderSchemas.SCHEMA_FILE)).doesNotExist();
  }
}
