package io.tributary.quality;

import static io.tributary.dsl.plan.ExpectationAction.DROP;
import static io.tributary.dsl.plan.ExpectationAction.FAIL;
import static io.tributary.dsl.plan.ExpectationAction.WARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.plan.Expectation;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A streaming job on a MiniCluster, parallelism 2: Table → {@link Expectations#apply} (the planner's
 * generated code) → {@link ExpectationOperator} → collected rows and counts, exact.
 */
class ExpectationsITCase {

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final int ROWS = 1_000;
  private static final AtomicInteger OPENS = new AtomicInteger();

  private static final List<Expectation> EXPECTATIONS =
      List.of(
          new Expectation("valid_email", "email LIKE '%@%'", WARN),
          new Expectation("valid_id", "id IS NOT NULL", DROP),
          new Expectation("positive_amount", "amount > 0", DROP),
          new Expectation("valid_timestamp", "timestamp > '2020-01-01'", DROP));

  /** Row i: no id every 10th, a non-positive amount when i % 7 < 2, no '@' every 5th, an old timestamp every 13th. */
  private static Row event(int i) {
    return Row.of(
        i % 10 == 0 ? null : (long) i,
        i % 7 - 1,
        i % 5 == 0 ? "user" + i : "user" + i + "@example.com",
        i % 13 == 0
            ? LocalDateTime.parse("2019-06-01T00:00:00")
            : LocalDateTime.parse("2021-06-01T00:00:00"));
  }

  private record Job(List<Long> keptIds, DataQuality quality, int countRecords) {}

  private static Job run(List<Expectation> expectations) throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);

    List<Row> events = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      events.add(event(i));
    }
    DataStream<Row> source =
        env.fromData(
            events,
            new RowTypeInfo(
                new org.apache.flink.api.common.typeinfo.TypeInformation<?>[] {
                  Types.LONG, Types.INT, Types.STRING, Types.LOCAL_DATE_TIME
                },
                new String[] {"id", "amount", "email", "timestamp"}));
    Table silver = tEnv.fromDataStream(source);
    assertThat(ExpectationValidator.validate("silver", expectations, silver)).isEmpty();

    Table flagged = Expectations.apply(silver, expectations);
    RowType dataType =
        (RowType) silver.getResolvedSchema().toPhysicalRowDataType().getLogicalType();
    DataStream<RowData> flaggedRows =
        tEnv.toDataStream(
            flagged, flagged.getResolvedSchema().toPhysicalRowDataType().bridgedTo(RowData.class));
    SingleOutputStreamOperator<RowData> kept =
        flaggedRows
            .rebalance()
            .map(new CountOpens())
            .returns(
                InternalTypeInfo.of(
                    (RowType) flagged.getResolvedSchema().toPhysicalRowDataType().getLogicalType()))
            .transform(
                "expectations silver",
                InternalTypeInfo.of(dataType),
                new ExpectationOperator(
                    ExpectationEvaluator.of("events", "silver", expectations), dataType))
            .uid("expectations-silver");

    CloseableIterator<Long> ids =
        kept.map(
                row -> {
                  assertThat(row.getArity()).isEqualTo(4);
                  return row.getLong(0);
                })
            .returns(Types.LONG)
            .collectAsync();
    CloseableIterator<DataQuality> counts =
        kept.getSideOutput(ExpectationOperator.DATA_QUALITY).collectAsync();
    OPENS.set(0);
    env.execute("expectations");

    List<Long> keptIds = new ArrayList<>();
    ids.forEachRemaining(keptIds::add);
    keptIds.sort(null);
    DataQuality total =
        DataQuality.empty("silver", expectations.stream().map(Expectation::name).toList());
    int records = 0;
    while (counts.hasNext()) {
      total = total.plus(counts.next());
      records++;
    }
    return new Job(keptIds, total, records);
  }

  /** Counts the subtasks that open: a restart would open them again. */
  private static final class CountOpens extends RichMapFunction<RowData, RowData> {
    @Override
    public void open(OpenContext context) {
      OPENS.incrementAndGet();
    }

    @Override
    public RowData map(RowData row) {
      return row;
    }
  }

  @Test
  void keepsExactlyTheRowsThatMeetEveryDropExpectationAndCountsExactly() throws Exception {
    Job job = run(EXPECTATIONS);

    long[] passed = new long[4];
    long[] failed = new long[4];
    long dropped = 0;
    List<Long> expectedIds = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      boolean[] meets = {i % 5 != 0, i % 10 != 0, i % 7 - 1 > 0, i % 13 != 0};
      for (int e = 0; e < 4; e++) {
        if (meets[e]) {
          passed[e]++;
        } else {
          failed[e]++;
        }
      }
      if (meets[1] && meets[2] && meets[3]) {
        expectedIds.add((long) i);
      } else {
        dropped++;
      }
    }
    assertThat(job.keptIds()).isEqualTo(expectedIds);
    assertThat(job.quality())
        .isEqualTo(
            new DataQuality(
                "silver",
                new String[] {"valid_email", "valid_id", "positive_amount", "valid_timestamp"},
                passed,
                failed,
                dropped));
    assertThat(job.quality().expectations().get(1))
        .isEqualTo(new ExpectationResult("valid_id", "silver", 900, 100));
    assertThat(job.countRecords()).isBetween(1, 2);
    assertThat(OPENS.get()).isEqualTo(2);
  }

  @Test
  void expectOrFailFailsTheJobAtOnceWithoutRestarting() {
    List<Expectation> failing =
        List.of(
            new Expectation("valid_email", "email LIKE '%@%'", WARN),
            new Expectation("valid_id", "id IS NOT NULL", FAIL));
    assertThatThrownBy(() -> run(failing))
        .satisfies(
            error -> {
              ExpectationViolationException violation =
                  ExceptionUtils.findThrowable(error, ExpectationViolationException.class)
                      .orElseThrow();
              assertThat(violation.getMessage())
                  .matches(
                      "Pipeline 'events', dataset 'silver': expectation 'valid_id'"
                          + " \\(id IS NOT NULL\\) failed on row \\{id=null, amount=-?\\d, email=user\\d+, timestamp=20\\d\\d-06-01T00:00\\}\\."
                          + " expect_or_fail stops the update; fix the data, or use expectOrDrop to drop such rows\\.");
            });
    assertThat(OPENS.get()).isEqualTo(2);
  }
}
