package io.tributary.runtime.delta;

import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * A job restored state older than the Delta table it writes: the table holds epochs of the same
 * lineage that the state does not know, so the job's sources would read again input whose rows the
 * table already has. Never retried: the same state would fail the same way.
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public final class StaleStateException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StaleStateException(String table, String appId, long tableEpoch, long stateEpoch) {
    super(
        "Table '"
            + table
            + "' has epoch "
            + tableEpoch
            + " of transaction "
            + appId
            + ", but the state this"
            + " job restored knows epochs up to "
            + stateEpoch
            + " only: it is older than the table (restored from an"
            + " older checkpoint or savepoint than the last one), and continuing would read again input the table"
            + " already holds. Restore the newest checkpoint or savepoint of the job, or do a full refresh of the"
            + " table.");
  }
}
