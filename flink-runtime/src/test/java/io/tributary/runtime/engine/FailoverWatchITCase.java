package io.tributary.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.testing.Await;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A triggered update waits for its job's sources to catch up or for the job to end. A job whose task
 * failed and whose source then does not get its split back does neither: the update waited forever,
 * silently (BadInputCorpusITCase hung so in CI). The fault is injected here as a real Flink job whose
 * enumerator loses what a failed reader gives back; the embedded executor must fail such a job after its
 * failover timeout, and cancel it.
 */
class FailoverWatchITCase {

  @RegisterExtension
  static final TributaryClusterExtension CLUSTER = new TributaryClusterExtension();

  /** Readers that failed on purpose, across the JVM (the reader is made again by every restart). */
  private static final AtomicInteger FAILED = new AtomicInteger();

  @Test
  void aFailedOverJobWhoseSourceNeverGetsItsSplitBackFailsInsteadOfWaitingForever()
      throws Exception {
    FAILED.set(0);
    String runId = "failover-watch-" + UUID.randomUUID();
    EmbeddedExecutor executor = new EmbeddedExecutor(CLUSTER.cluster(), Duration.ofSeconds(3));
    SubmittedJob job =
        executor.submit(
            new JobSubmission(
                "stream_lost", graph(), Optional.empty(), runId, List.of("lost-splits")));

    // without the watch the result never comes: the restarted reader waits for a split no one has
    JobOutcome outcome = job.result().get(90, TimeUnit.SECONDS);
    assertThat(FAILED.get()).isEqualTo(1);
    assertThat(job.caughtUp()).isNotDone();
    assertThat(outcome.status()).isEqualTo(JobStatus.FAILED);
    assertThat(outcome.failure())
        .get()
        .extracting(Throwable::getMessage)
        .asString()
        .isEqualTo(
            "Job 'stream_lost' failed over (1 task restarts) and since then its sources [lost-splits] have"
                + " neither caught up nor written a row in 3 s: a restarted source that does not get its input back"
                + " would wait forever, so the job is cancelled. Its tasks restarted after: injected: the reader fails"
                + " on its split. The wait is"
                + " pipelines.cluster.caughtUpTimeout in the pipeline's configuration.");
    JobID id = JobID.fromHexString(job.id());
    Await.until(
        "the job cancelled",
        Duration.ofSeconds(60),
        () -> CLUSTER.cluster().status(id) == JobStatus.CANCELED);
  }

  private static StreamGraph graph() {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    env.fromSource(new LostSplitSource(), WatermarkStrategy.noWatermarks(), "lost-splits")
        .sinkTo(new DiscardingSink<>());
    return env.getStreamGraph();
  }

  /** One split, "file". */
  record Part(String splitId) implements SourceSplit {}

  /**
   * A never-finishing source of one split whose enumerator drops the splits a failed reader gives back
   * (the injected fault) and whose reader fails once, on its first split.
   */
  static final class LostSplitSource implements Source<Long, Part, Integer> {
    @Override
    public Boundedness getBoundedness() {
      return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SplitEnumerator<Part, Integer> createEnumerator(SplitEnumeratorContext<Part> context) {
      return new Enumerator(context, 1);
    }

    @Override
    public SplitEnumerator<Part, Integer> restoreEnumerator(
        SplitEnumeratorContext<Part> context, Integer left) {
      return new Enumerator(context, left);
    }

    @Override
    public SimpleVersionedSerializer<Part> getSplitSerializer() {
      return new Serializer<>(part -> part.splitId(), Part::new);
    }

    @Override
    public SimpleVersionedSerializer<Integer> getEnumeratorCheckpointSerializer() {
      return new Serializer<>(String::valueOf, Integer::valueOf);
    }

    @Override
    public SourceReader<Long, Part> createReader(SourceReaderContext context) {
      return new Reader(context);
    }
  }

  private static final class Enumerator implements SplitEnumerator<Part, Integer> {
    private final SplitEnumeratorContext<Part> context;
    private int left;

    Enumerator(SplitEnumeratorContext<Part> context, int left) {
      this.context = context;
      this.left = left;
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
      if (left > 0) {
        left--;
        context.assignSplit(new Part("file"), subtaskId);
      }
    }

    @Override
    public void addSplitsBack(List<Part> splits, int subtaskId) {
      // the fault: what the failed reader had is never handed out again
    }

    @Override
    public void addReader(int subtaskId) {}

    @Override
    public Integer snapshotState(long checkpointId) {
      return left;
    }

    @Override
    public void close() {}
  }

  private static final class Reader implements SourceReader<Long, Part> {
    private final SourceReaderContext context;
    private final List<Part> splits = new ArrayList<>();
    private final CompletableFuture<Void> available = new CompletableFuture<>();

    Reader(SourceReaderContext context) {
      this.context = context;
    }

    @Override
    public void start() {
      context.sendSplitRequest();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<Long> output) {
      if (!splits.isEmpty()) {
        FAILED.incrementAndGet();
        throw new IllegalStateException("injected: the reader fails on its split");
      }
      return InputStatus.NOTHING_AVAILABLE;
    }

    @Override
    public List<Part> snapshotState(long checkpointId) {
      return List.copyOf(splits);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
      return available;
    }

    @Override
    public void addSplits(List<Part> added) {
      splits.addAll(added);
      if (!added.isEmpty()) {
        available.complete(null);
      }
    }

    @Override
    public void notifyNoMoreSplits() {}

    @Override
    public void close() {}
  }

  /** Writes a value as its text. */
  private static final class Serializer<T> implements SimpleVersionedSerializer<T> {
    private final java.util.function.Function<T, String> write;
    private final java.util.function.Function<String, T> read;

    Serializer(
        java.util.function.Function<T, String> write, java.util.function.Function<String, T> read) {
      this.write = write;
      this.read = read;
    }

    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(T value) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      new DataOutputStream(bytes).writeUTF(write.apply(value));
      return bytes.toByteArray();
    }

    @Override
    public T deserialize(int version, byte[] serialized) throws IOException {
      return read.apply(new DataInputStream(new ByteArrayInputStream(serialized)).readUTF());
    }
  }
}
