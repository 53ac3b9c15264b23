package io.tributary.runtime.eventlog;

import java.util.Locale;

/** The kinds of events the log holds, named as Delta Live Tables names them ({@link #value()}). */
public enum EventType {
  /** An update was created: its id, number and cause. */
  CREATE_UPDATE,
  /** The update's state changed (INITIALIZING, RUNNING, COMPLETED, FAILED, STOPPED). */
  UPDATE_PROGRESS,
  /** A flow's definition: its output dataset and its inputs (the lineage). */
  FLOW_DEFINITION,
  /** A flow's state changed, or (level METRICS) an epoch of it committed rows and data quality counts. */
  FLOW_PROGRESS,
  /** A user started or stopped the update. */
  USER_ACTION,
  /** Maintenance of a table after the update: files compacted, files vacuumed, the log's checkpoint. */
  MAINTENANCE_PROGRESS,
  /** The update took over the pipeline's lock from a process that stopped renewing it: whose, since when. */
  PIPELINE_LOCK,
  /** How the update refreshes a materialized table: {@code INCREMENTAL} or {@code COMPLETE_RECOMPUTE}, and why. */
  PLANNING_INFORMATION;

  /** The name in the log, e.g. {@code flow_progress}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }
}
