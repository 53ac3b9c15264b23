package io.tributary.runtime.delta.write;

import io.tributary.runtime.delta.DeltaDataFile;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;

/**
 * The parallel half of the Delta sink: writes rows to Parquet files and, just before each checkpoint
 * barrier and at end of input, closes its files and sends their descriptions ({@link
 * DeltaDataFile#toBytes()}) to the committer. It keeps no state: after a failure the rows since the
 * last checkpoint are replayed into new files, and the files of the failed attempt are never
 * committed; their names say which run wrote them ({@link WriterAttempt}), so the next run's committer
 * deletes them ({@link DeadAttemptFiles}).
 */
final class DeltaWriterOperator extends AbstractStreamOperator<byte[]>
    implements OneInputStreamOperator<RowData, byte[]>, BoundedOneInput {

  private static final long serialVersionUID = 1L;

  private final DeltaWriteSpec spec;
  private final long targetFileBytes;
  private transient DeltaFileWriter writer;

  DeltaWriterOperator(DeltaWriteSpec spec, long targetFileBytes) {
    this.spec = spec;
    this.targetFileBytes = targetFileBytes;
  }

  @Override
  public void open() throws Exception {
    super.open();
    writer =
        new DeltaFileWriter(
            spec.tablePath(),
            spec.rowType(),
            spec.partitionColumns(),
            targetFileBytes,
            spec.hadoopConf(),
            getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
            WriterAttempt.of(spec.appId(), getRuntimeContext().getJobInfo().getJobId())
                .newFileId());
  }

  @Override
  public void processElement(StreamRecord<RowData> element) throws Exception {
    writer.write(element.getValue());
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    flush();
  }

  @Override
  public void endInput() throws Exception {
    flush();
  }

  private void flush() throws Exception {
    for (DeltaDataFile file : writer.closeAll()) {
      output.collect(new StreamRecord<>(file.toBytes()));
    }
  }

  @Override
  public void close() throws Exception {
    if (writer != null) {
      writer.close();
    }
    super.close();
  }
}
