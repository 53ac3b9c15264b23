package io.tributary.runtime.delta.write;

import io.tributary.runtime.delta.DeltaDataFile;
import java.io.Serializable;
import java.util.List;

/**
 * Work the Delta committer hands off after each data commit of an append-only table, such as auto
 * compaction ({@code maintenance.AutoCompaction}): defined here so that {@code write} does not depend
 * on {@code maintain}. It travels with the job (serializable); {@link #open} and {@link #close} bracket
 * one run of the committer task.
 */
public interface AfterCommit extends Serializable {

  /** Starts this run's resources (a background thread); called once when the committer starts. */
  void open();

  /**
   * Table version {@code tableVersion} was committed, adding {@code added}: starts work if due, and
   * returns at once, so the next data commit is never delayed.
   */
  void committed(long tableVersion, List<DeltaDataFile> added);

  /** Stops this run: waits a short while for work in progress, then abandons it. */
  void close();
}
