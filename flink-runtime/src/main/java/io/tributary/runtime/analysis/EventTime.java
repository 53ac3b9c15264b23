package io.tributary.runtime.analysis;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;
import org.apache.flink.table.types.logical.utils.LogicalTypeUtils;
import org.apache.flink.table.types.utils.TypeConversions;

/**
 * Event time across a pipeline's tables: a source's declared watermark makes its column a rowtime
 * attribute, and a table whose rows carry a rowtime column hands it on to the tables that stream
 * from it, so windowed aggregations and time-bounded joins can run in streaming tables. The
 * analyzer and the translator build tables with the same schemas from here.
 */
public final class EventTime {

  private EventTime() {}

  /** The rowtime column of {@code rowType}, if a column is one. */
  public static Optional<String> rowtimeColumn(RowType rowType) {
    return rowType.getFields().stream()
        .filter(f -> LogicalTypeChecks.isRowtimeAttribute(f.getType()))
        .map(RowType.RowField::getName)
        .findFirst();
  }

  /** The row type of {@code schema}'s physical columns, its rowtime column still marked as one. */
  public static RowType rowType(ResolvedSchema schema) {
    RowType physical = (RowType) schema.toPhysicalRowDataType().getLogicalType();
    List<RowType.RowField> fields = new ArrayList<>();
    for (RowType.RowField field : physical.getFields()) {
      LogicalType declared =
          schema
              .getColumn(field.getName())
              .map(c -> c.getDataType().getLogicalType())
              .orElse(field.getType());
      fields.add(
          new RowType.RowField(
              field.getName(),
              LogicalTypeChecks.isRowtimeAttribute(declared) ? declared : field.getType()));
    }
    return new RowType(physical.isNullable(), fields);
  }

  /** {@code rowType} with its rowtime column made a plain timestamp, as stored and as sources produce it. */
  public static RowType physical(RowType rowType) {
    return (RowType) LogicalTypeUtils.removeTimeAttributes(rowType);
  }

  /** The watermarked column a source declares. */
  static Optional<AutoLoader.Watermark> watermark(Source source) {
    return source.match(AutoLoader::watermark, delta -> Optional.empty());
  }

  /**
   * The schema of a table of rows of {@code rowType} whose {@code column} is an event-time attribute
   * with watermarks given by {@code watermarkSql} (e.g. {@code SOURCE_WATERMARK()}).
   */
  public static Schema schema(RowType rowType, Optional<String> column, String watermarkSql) {
    Schema.Builder schema =
        Schema.newBuilder()
            .fromRowDataType(TypeConversions.fromLogicalToDataType(physical(rowType)));
    column.ifPresent(c -> schema.watermark(c, watermarkSql));
    return schema.build();
  }

  static String delayedBy(String column, AutoLoader.Watermark watermark) {
    java.time.Duration d = watermark.delay();
    String interval =
        String.format(
            "%d %02d:%02d:%02d.%03d",
            d.toDays(), d.toHoursPart(), d.toMinutesPart(), d.toSecondsPart(), d.toMillisPart());
    return "`" + column + "` - INTERVAL '" + interval + "' DAY TO SECOND(3)";
  }

  static boolean isTimestamp(LogicalType type) {
    return type.getTypeRoot().name().startsWith("TIMESTAMP");
  }
}
