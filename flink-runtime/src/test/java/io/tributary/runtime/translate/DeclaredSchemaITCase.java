package io.tributary.runtime.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.Source;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.runtime.analysis.Analyzer;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.engine.EmbeddedCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A table with a declared schema is written with it: the rows in the declared column order, the
 * sink given the declared row type, and a declared NOT NULL enforced on a column the query may leave
 * null.
 */
class DeclaredSchemaITCase {

  private static final RowType ORDERS =
      RowType.of(
          new LogicalType[] {VarCharType.STRING_TYPE, new DoubleType()},
          new String[] {"order_id", "amount"});

  private static EmbeddedCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = EmbeddedCluster.start(1, new Configuration());
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void theTableIsWrittenInTheDeclaredOrderWithTheDeclaredType() throws Exception {
    RecordingJobIo io =
        new RecordingJobIo(Map.of("orders", List.of(order("a", 1.5), order("b", 2.0))));

    JobResult result = run("amounts_ok", io);

    assertThat(result.isSuccess()).isTrue();
    assertThat(io.types.get("amounts_ok"))
        .isEqualTo(
            new RowType(
                false,
                List.of(
                    new RowType.RowField("amount", new DoubleType(true)),
                    new RowType.RowField(
                        "order_id", new VarCharType(false, VarCharType.MAX_LENGTH)))));
    assertThat(MemoryJobIo.written("amounts_ok"))
        .extracting(row -> row.getDouble(0) + " " + row.getString(1))
        .containsExactlyInAnyOrder("1.5 a", "2.0 b");
  }

  @Test
  void aNullInADeclaredNotNullColumnFailsTheFlow() throws Exception {
    RecordingJobIo io =
        new RecordingJobIo(Map.of("orders", List.of(order("a", 1.5), order(null, 2.0))));

    JobResult result = run("amounts_null", io);

    assertThat(result.isSuccess()).isFalse();
    assertThat(result.getSerializedThrowable().orElseThrow().getFullStringifiedStackTrace())
        .contains("NOT NULL")
        .contains("order_id");
    assertThat(MemoryJobIo.written("amounts_null"))
        .extracting(row -> row.getString(1).toString())
        .doesNotContainNull();
  }

  private JobResult run(String table, RecordingJobIo io) throws Exception {
    Pipeline p = Pipeline.create("declared", Map.of());
    p.table("orders").from(AutoLoader.json("/in"));
    p.table(table)
        .sql("SELECT order_id, amount FROM orders")
        .schema("amount DOUBLE, order_id STRING NOT NULL");
    ResolvedPlan plan = new Analyzer((dataset, source) -> ORDERS, List.of()).analyze(p.build());
    PlannedJob job =
        JobPlanner.plan(plan.plan()).stream()
            .filter(j -> j.datasets().contains(table))
            .findFirst()
            .orElseThrow();
    JobTranslator translator =
        new JobTranslator(plan, io, (tableEnv, context, dataset, rows, rowType) -> rows);
    TranslatedJob translated =
        translator.translate(
            new JobContext("declared", job, "update-1", 1, Map.of(table, "0123456789abcdef")),
            JobTranslator.configuration(job, 1, Duration.ofSeconds(1)));
    JobID id = cluster.submit(translated.graph());
    return cluster.result(id).get();
  }

  private static RowData order(String id, double amount) {
    return GenericRowData.of(id == null ? null : StringData.fromString(id), amount);
  }

  /** Memory I/O that also records the row type each table is written with. */
  private static final class RecordingJobIo implements JobIo {
    private final MemoryJobIo memory;
    private final Map<String, RowType> types = new ConcurrentHashMap<>();

    RecordingJobIo(Map<String, List<RowData>> snapshots) {
      this.memory = new MemoryJobIo(snapshots);
    }

    @Override
    public SourceStream readSource(
        StreamExecutionEnvironment env,
        JobContext job,
        String dataset,
        Source source,
        RowType rowType) {
      return memory.readSource(env, job, dataset, source, rowType);
    }

    @Override
    public SourceStream readSnapshot(
        StreamExecutionEnvironment env, JobContext job, String dataset, RowType rowType) {
      return memory.readSnapshot(env, job, dataset, rowType);
    }

    @Override
    public void write(
        DataStream<RowData> rows, JobContext job, DatasetSpec dataset, RowType rowType) {
      types.put(dataset.name(), rowType);
      memory.write(rows, job, dataset, rowType);
    }

    @Override
    public void writeChanges(
        DataStream<RowData> changes,
        JobContext job,
        DatasetSpec dataset,
        RowType rowType,
        List<String> keys) {
      memory.writeChanges(changes, job, dataset, rowType, keys);
    }
  }
}
