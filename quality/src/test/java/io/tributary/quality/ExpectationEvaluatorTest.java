package io.tributary.quality;

import static io.tributary.dsl.plan.ExpectationAction.DROP;
import static io.tributary.dsl.plan.ExpectationAction.FAIL;
import static io.tributary.dsl.plan.ExpectationAction.WARN;
import static io.tributary.quality.ExpectationEvaluator.Verdict.KEEP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.plan.Expectation;
import io.tributary.quality.ExpectationEvaluator.Verdict;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.throwable.ThrowableClassifier;
import org.apache.flink.runtime.throwable.ThrowableType;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** DLT's semantics for each action, without a cluster. */
class ExpectationEvaluatorTest {

  private static final Expectation VALID_EMAIL =
      new Expectation("valid_email", "email LIKE '%@%'", WARN);
  private static final Expectation POSITIVE =
      new Expectation("positive_amount", "amount > 0", DROP);
  private static final Expectation NOT_NULL =
      new Expectation("not_null_id", "id IS NOT NULL", DROP);
  private static final Expectation VALID_ID = new Expectation("valid_id", "id IS NOT NULL", FAIL);

  private static boolean[] flags(boolean... passed) {
    return passed;
  }

  @Test
  void expectKeepsAFailingRowAndCountsIt() {
    ExpectationEvaluator evaluator = ExpectationEvaluator.of("p", "silver", List.of(VALID_EMAIL));
    ExpectationCounts counts = evaluator.newCounts();
    assertThat(evaluator.evaluate(flags(false), counts)).isEqualTo(KEEP);
    assertThat(evaluator.evaluate(flags(true), counts)).isEqualTo(KEEP);
    assertThat(evaluator.evaluate(flags(false), counts)).isEqualTo(KEEP);
    assertThat(counts.snapshot())
        .isEqualTo(
            new DataQuality(
                "silver", new String[] {"valid_email"}, new long[] {1}, new long[] {2}, 0));
  }

  @Test
  void expectOrDropDropsAFailingRowAndCountsIt() {
    ExpectationEvaluator evaluator = ExpectationEvaluator.of("p", "silver", List.of(POSITIVE));
    ExpectationCounts counts = evaluator.newCounts();
    assertThat(evaluator.evaluate(flags(false), counts)).isEqualTo(Verdict.DROP);
    assertThat(evaluator.evaluate(flags(true), counts)).isEqualTo(KEEP);
    assertThat(counts.passed(0)).isEqualTo(1);
    assertThat(counts.failed(0)).isEqualTo(1);
    assertThat(counts.dropped()).isEqualTo(1);
  }

  @Test
  void expectAllCountsEachExpectationAndDropsARowFailingSeveralOnce() {
    ExpectationEvaluator evaluator =
        ExpectationEvaluator.of("p", "silver", List.of(VALID_EMAIL, POSITIVE, NOT_NULL));
    ExpectationCounts counts = evaluator.newCounts();
    assertThat(evaluator.evaluate(flags(true, true, true), counts)).isEqualTo(KEEP);
    assertThat(evaluator.evaluate(flags(false, true, true), counts)).isEqualTo(KEEP);
    assertThat(evaluator.evaluate(flags(true, false, false), counts)).isEqualTo(Verdict.DROP);
    assertThat(evaluator.evaluate(flags(false, false, true), counts)).isEqualTo(Verdict.DROP);
    DataQuality quality = counts.snapshot();
    assertThat(quality.expectations())
        .containsExactly(
            new ExpectationResult("valid_email", "silver", 2, 2),
            new ExpectationResult("positive_amount", "silver", 2, 2),
            new ExpectationResult("not_null_id", "silver", 3, 1));
    assertThat(quality.droppedRecords()).isEqualTo(2);
  }

  @Test
  void expectOrFailFailsFirstCountsNothingAndWinsOverDrop() {
    ExpectationEvaluator evaluator =
        ExpectationEvaluator.of("p", "silver", List.of(POSITIVE, VALID_ID));
    ExpectationCounts counts = evaluator.newCounts();
    assertThat(evaluator.evaluate(flags(true, true), counts)).isEqualTo(KEEP);
    assertThat(evaluator.evaluate(flags(false, false), counts)).isEqualTo(Verdict.FAIL);
    assertThat(evaluator.failedExpectation(flags(false, false))).isEqualTo(1);
    assertThat(evaluator.failedExpectation(flags(false, true))).isEqualTo(-1);
    assertThat(counts.snapshot().expectations())
        .containsExactly(
            new ExpectationResult("positive_amount", "silver", 1, 0),
            new ExpectationResult("valid_id", "silver", 1, 0));
    assertThat(counts.dropped()).isZero();
  }

  @Test
  void theViolationNamesPipelineDatasetExpectationConstraintAndRowAndIsNeverRetried() {
    ExpectationEvaluator evaluator =
        ExpectationEvaluator.of("p", "silver", List.of(POSITIVE, VALID_ID));
    ExpectationViolationException violation = evaluator.violation(1, "{id=null, amount=5}");
    assertThat(violation)
        .hasMessage(
            "Pipeline 'p', dataset 'silver': expectation 'valid_id' (id IS NOT NULL) failed"
                + " on row {id=null, amount=5}. expect_or_fail stops the update; fix the data, or use expectOrDrop to drop"
                + " such rows.");
    assertThat(violation.expectation()).isEqualTo("valid_id");
    assertThat(violation.row()).isEqualTo("{id=null, amount=5}");
    assertThat(ThrowableClassifier.getThrowableType(violation))
        .isEqualTo(ThrowableType.NonRecoverableError);
  }

  @Test
  void aRetractionIsRoutedAsTheRowItRetractsWithoutCountingOrFailing() {
    ExpectationEvaluator evaluator =
        ExpectationEvaluator.of("p", "silver", List.of(VALID_EMAIL, POSITIVE, VALID_ID));
    assertThat(evaluator.evaluateRetraction(flags(false, true, false))).isEqualTo(KEEP);
    assertThat(evaluator.evaluateRetraction(flags(true, false, true))).isEqualTo(Verdict.DROP);
  }

  @Test
  void aRowWithTheWrongNumberOfResultsIsABug() {
    ExpectationEvaluator evaluator = ExpectationEvaluator.of("p", "silver", List.of(POSITIVE));
    assertThatThrownBy(() -> evaluator.evaluate(flags(true, true), evaluator.newCounts()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset silver has 1 expectations, but a row carries 2 results");
  }

  @Test
  void theEvaluatorIsSerializableWithItsExpectations() throws Exception {
    ExpectationEvaluator evaluator =
        ExpectationEvaluator.of("p", "silver", List.of(VALID_EMAIL, VALID_ID));
    ExpectationEvaluator copy = InstantiationUtil.clone(evaluator);
    assertThat(copy.expectations()).containsExactly(VALID_EMAIL, VALID_ID);
    assertThat(copy.pipeline()).isEqualTo("p");
    assertThat(copy.dataset()).isEqualTo("silver");
  }

  @Test
  void countsResetForTheNextEpochAndAddUp() {
    ExpectationEvaluator evaluator = ExpectationEvaluator.of("p", "silver", List.of(POSITIVE));
    ExpectationCounts counts = evaluator.newCounts();
    assertThat(counts.isEmpty()).isTrue();
    evaluator.evaluate(flags(false), counts);
    DataQuality first = counts.snapshot();
    counts.reset();
    assertThat(counts.isEmpty()).isTrue();
    assertThat(counts.snapshot().isEmpty()).isTrue();
    evaluator.evaluate(flags(true), counts);
    assertThat(first.plus(counts.snapshot()))
        .isEqualTo(
            new DataQuality(
                "silver", new String[] {"positive_amount"}, new long[] {1}, new long[] {1}, 1));
    assertThat(DataQuality.empty("silver", List.of("positive_amount")).plus(first))
        .isEqualTo(first);
    assertThatThrownBy(() -> first.plus(DataQuality.empty("gold", List.of("positive_amount"))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dataQualityIsAFlinkPojoAndSurvivesItsSerializer() throws Exception {
    TypeInformation<DataQuality> type = TypeInformation.of(DataQuality.class);
    assertThat(type).isInstanceOf(PojoTypeInfo.class);
    TypeSerializer<DataQuality> serializer = type.createSerializer(new SerializerConfigImpl());
    DataQuality quality =
        new DataQuality("silver", new String[] {"a", "b"}, new long[] {1, 2}, new long[] {3, 4}, 5);
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(quality, out);
    assertThat(serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
        .isEqualTo(quality);
  }
}
