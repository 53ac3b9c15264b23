package io.tributary.runtime.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.Source;
import io.tributary.dsl.plan.DatasetSpec;
import io.tributary.runtime.analysis.Analyzer;
import io.tributary.runtime.analysis.ResolvedPlan;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.config.AggregatePhaseStrategy;
import org.apache.flink.table.api.config.OptimizerConfigOptions;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The benchmark's gold query (count, distinct count and average per group) in a BATCH job over
 * about a million distinct (group, user) pairs: the merging hash aggregate of Flink 2.3's two-phase
 * plan outgrows its managed memory there, falls back to sort-based aggregation and returned NULL
 * averages in every group, so the translator's BATCH jobs aggregate in one phase.
 */
class BatchAggregationITCase {

  private static final int ROWS = 1_000_000;
  private static final int GROUPS = 600;

  private static final RowType EVENTS =
      RowType.of(
          new LogicalType[] {
            new IntType(), VarCharType.STRING_TYPE, VarCharType.STRING_TYPE, new DoubleType()
          },
          new String[] {"event_day", "event_type", "user_id", "duration"});

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  @Test
  void batchJobsAggregateInOnePhase() {
    PlannedJob job =
        new PlannedJob("table_gold", PlannedJob.Mode.BATCH, List.of("gold"), java.util.Set.of());
    PlannedJob streaming =
        new PlannedJob("stream_x", PlannedJob.Mode.STREAMING, List.of("x"), java.util.Set.of());

    assertThat(
            JobTranslator.configuration(job, 2, Duration.ofSeconds(1))
                .get(OptimizerConfigOptions.TABLE_OPTIMIZER_AGG_PHASE_STRATEGY))
        .isEqualTo(AggregatePhaseStrategy.ONE_PHASE);
    assertThat(
            JobTranslator.configuration(streaming, 2, Duration.ofSeconds(1))
                .contains(OptimizerConfigOptions.TABLE_OPTIMIZER_AGG_PHASE_STRATEGY))
        .isFalse();
  }

  @Test
  void streamingJobsCompressTheirStateSnapshots() {
    PlannedJob streaming =
        new PlannedJob("stream_x", PlannedJob.Mode.STREAMING, List.of("x"), java.util.Set.of());

    assertThat(
            JobTranslator.configuration(streaming, 2, Duration.ofSeconds(1))
                .get(org.apache.flink.configuration.ExecutionOptions.SNAPSHOT_COMPRESSION))
        .isTrue();
  }

  @Test
  void averagesWithADistinctCountOverAMillionGroupsAreAllThere() throws Exception {
    Pipeline p = Pipeline.create("bench", Map.of());
    p.streamingTable("silver").from(AutoLoader.json("/events"));
    p.table("gold_daily")
        .sql(
            "SELECT event_day, event_type, COUNT(*) AS n, COUNT(DISTINCT user_id) AS users,"
                + " AVG(duration) AS avg_duration FROM silver GROUP BY event_day, event_type");
    ResolvedPlan plan = new Analyzer((dataset, source) -> EVENTS, List.of()).analyze(p.build());
    PlannedJob job =
        JobPlanner.plan(plan.plan()).stream()
            .filter(j -> j.name().equals("table_gold_daily"))
            .findFirst()
            .orElseThrow();
    JobTranslator translator =
        new JobTranslator(
            plan, new GeneratedJobIo(), (tableEnv, context, dataset, rows, rowType) -> rows);

    TranslatedJob translated =
        translator.translate(
            new JobContext("bench", job, "update-1", 1, Map.of("gold_daily", "0123456789abcdef")),
            JobTranslator.configuration(job, 2, Duration.ofSeconds(1)));
    JobID id = CLUSTER.cluster().submit(translated.graph());

    assertThat(CLUSTER.cluster().result(id).get().isSuccess()).isTrue();
    List<RowData> gold = MemoryJobIo.written("gold_daily");
    assertThat(gold).hasSize(GROUPS);
    // every group has 1,666 or 1,667 rows, one in seven with a NULL duration
    assertThat(gold)
        .allSatisfy(
            row -> {
              assertThat(row.getLong(2)).isBetween(1666L, 1667L);
              assertThat(row.isNullAt(4)).as("avg_duration of %s", row).isFalse();
            });
  }

  /** Row {@code i} of the generated events: 600 groups, each row's user drawn from 50,000. */
  static RowData event(long i) {
    long hash = i * 0x9E3779B97F4A7C15L;
    int group = (int) (i % GROUPS);
    return GenericRowData.of(
        group / 10,
        StringData.fromString("type" + group % 10),
        StringData.fromString("user_" + Math.floorMod(hash >>> 29, 50_000L)),
        i % 7 == 0 ? null : (double) (i % 1000));
  }

  /** A snapshot of {@link #ROWS} generated events, written into {@link MemoryJobIo}'s lists. */
  private static final class GeneratedJobIo implements JobIo {
    private final MemoryJobIo memory = new MemoryJobIo(Map.of());

    @Override
    public SourceStream readSource(
        StreamExecutionEnvironment env,
        JobContext job,
        String dataset,
        Source source,
        RowType rowType) {
      throw new UnsupportedOperationException("no external sources");
    }

    @Override
    public SourceStream readSnapshot(
        StreamExecutionEnvironment env, JobContext job, String dataset, RowType rowType) {
      DataStream<RowData> rows =
          env.fromSequence(0, ROWS - 1)
              .map(BatchAggregationITCase::event)
              .returns(InternalTypeInfo.of(rowType));
      return new SourceStream(rows, Optional.empty());
    }

    @Override
    public void write(
        DataStream<RowData> rows, JobContext job, DatasetSpec dataset, RowType rowType) {
      memory.write(rows, job, dataset, rowType);
    }

    @Override
    public void writeChanges(
        DataStream<RowData> changes,
        JobContext job,
        DatasetSpec dataset,
        RowType rowType,
        List<String> keys) {
      throw new UnsupportedOperationException("no changes");
    }
  }
}
