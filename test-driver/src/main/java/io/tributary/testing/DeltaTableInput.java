package io.tributary.testing;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.engine.EmbeddedCluster;
import io.tributary.runtime.tables.PipelineTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;

/**
 * A Delta table outside the pipeline that the pipeline reads ({@code DeltaSource.path(...)}): each
 * {@link #append} makes one new version of it. The rows are written by Tributary's own Delta writer, in
 * a one-table feeder pipeline on the same cluster, so the pipeline reads a table made exactly as a
 * production table is.
 *
 * <pre>{@code
 * DeltaTableInput customers = driver.deltaTable("source.customers", "customer_id BIGINT, name STRING");
 * customers.append(Map.of("customer_id", 1, "name", "Ada"));
 * }</pre>
 */
public final class DeltaTableInput {

  private final String name;
  private final AutoLoaderInput files;
  private final Tributary.Builder feeder;
  private final String tablePath;

  DeltaTableInput(String name, String schema, Path work, EmbeddedCluster cluster) {
    this.name = name;
    RowType rowType = parse(name, schema);
    Path folder = work.resolve("files");
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.files = new AutoLoaderInput(folder);
    String storage = work.resolve("storage").toString();
    this.tablePath = storage + "/tables/" + name;
    this.feeder =
        Tributary.pipeline(new Feed(name, folder.toString(), schema, rowType.getFieldNames()))
            .name("feed_" + name)
            .storage(storage)
            .cluster(cluster)
            .parallelism(1);
  }

  /** Where the Delta table is: the value the driver gives the pipeline's configuration key. */
  public String path() {
    return tablePath;
  }

  /** Commits these rows (column name to value) as one new version of the table; returns that version. */
  @SafeVarargs
  public final long append(Map<String, ?>... rows) {
    return append(List.of(rows));
  }

  /** Commits these rows as one new version of the table; returns that version. */
  public long append(List<? extends Map<String, ?>> rows) {
    files.addJson(rows);
    UpdateResult result = feeder.run();
    if (result.state() != UpdateState.COMPLETED) {
      throw new IllegalStateException(
          "Could not commit rows to the Delta source table '"
              + name
              + "': the writer "
              + "ended "
              + result.state()
              + ": "
              + result.error().orElse("no error recorded")
              + ". Check that each row's "
              + "values match the declared schema.");
    }
    return PipelineTables.path(tablePath).version();
  }

  private static RowType parse(String name, String schema) {
    try {
      return (RowType)
          LogicalTypeParser.parse("ROW<" + schema + ">", DeltaTableInput.class.getClassLoader());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "Delta source table '"
              + name
              + "': schema '"
              + schema
              + "' is not a "
              + "column list such as 'id BIGINT, name STRING': "
              + e.getMessage(),
          e);
    }
  }

  /** The feeder: the files, read with the declared schema, as a table of exactly those columns. */
  private record Feed(String table, String folder, String schema, List<String> columns)
      implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.view(table + "_files").from(AutoLoader.json(folder).schema(schema));
      p.streamingTable(table)
          .sql(
              "SELECT "
                  + columns.stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "))
                  + " FROM STREAM(`"
                  + table
                  + "_files`)");
    }
  }
}
