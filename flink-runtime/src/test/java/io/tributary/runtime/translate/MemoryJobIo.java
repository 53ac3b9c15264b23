package io.tributary.runtime.translate;

import io.tributary.dsl.Source;
import io.tributary.dsl.plan.DatasetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;

/** A {@link JobIo} over memory for bounded translator tests: snapshots from lists, writes into lists. */
final class MemoryJobIo implements JobIo {

  static final Map<String, ConcurrentLinkedQueue<RowData>> WRITTEN = new ConcurrentHashMap<>();

  private final Map<String, List<RowData>> snapshots;

  MemoryJobIo(Map<String, List<RowData>> snapshots) {
    this.snapshots = snapshots;
  }

  @Override
  public SourceStream readSource(
      StreamExecutionEnvironment env,
      JobContext job,
      String dataset,
      Source source,
      RowType rowType) {
    throw new UnsupportedOperationException("memory I/O has no external sources");
  }

  @Override
  public SourceStream readSnapshot(
      StreamExecutionEnvironment env, JobContext job, String dataset, RowType rowType) {
    DataStream<RowData> rows = env.fromData(snapshots.get(dataset), InternalTypeInfo.of(rowType));
    return new SourceStream(rows, Optional.empty());
  }

  @Override
  public void write(
      DataStream<RowData> rows, JobContext job, DatasetSpec dataset, RowType rowType) {
    rows.sinkTo(new CollectingSink(dataset.name(), rowType)).setParallelism(1);
  }

  @Override
  public void writeChanges(
      DataStream<RowData> changes,
      JobContext job,
      DatasetSpec dataset,
      RowType rowType,
      List<String> keys) {
    throw new UnsupportedOperationException("memory I/O applies no changes");
  }

  static List<RowData> written(String dataset) {
    return new ArrayList<>(WRITTEN.getOrDefault(dataset, new ConcurrentLinkedQueue<>()));
  }

  private record CollectingSink(String dataset, RowType rowType) implements Sink<RowData> {
    @Override
    public SinkWriter<RowData> createWriter(WriterInitContext context) {
      RowData.FieldGetter[] getters = new RowData.FieldGetter[rowType.getFieldCount()];
      for (int i = 0; i < getters.length; i++) {
        getters[i] = RowData.createFieldGetter(rowType.getTypeAt(i), i);
      }
      ConcurrentLinkedQueue<RowData> target =
          WRITTEN.computeIfAbsent(dataset, d -> new ConcurrentLinkedQueue<>());
      return new SinkWriter<>() {
        @Override
        public void write(RowData row, Context ctx) {
          GenericRowData copy = new GenericRowData(row.getRowKind(), getters.length);
          for (int i = 0; i < getters.length; i++) {
            copy.setField(i, getters[i].getFieldOrNull(row));
          }
          target.add(copy);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
