package io.tributary.runtime.eventlog;

import io.tributary.runtime.storage.HadoopSettings;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.translate.JobContext;
import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Where a task of one update logs its events: the pipeline's event journal (its folder, written
 * through the pipeline's Hadoop settings) and the update the events belong to. Operators carry it to
 * the task, which opens the journal there ({@link #journal}).
 *
 * @param eventsDir the journal's folder ({@link PipelineStorage#eventsDir()})
 * @param hadoop the Hadoop settings the journal is written with
 * @param pipeline the pipeline's name
 * @param updateId the update's id
 * @param updateNumber the update's number: the journal's folder for its events
 */
public record UpdateEvents(
    String eventsDir, HadoopSettings hadoop, String pipeline, String updateId, long updateNumber)
    implements Serializable {

  public UpdateEvents {
    Objects.requireNonNull(eventsDir, "eventsDir");
    Objects.requireNonNull(hadoop, "hadoop");
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(updateId, "updateId");
  }

  /** The events of {@code job}'s update in {@code storage}'s journal. */
  public static UpdateEvents of(PipelineStorage storage, JobContext job) {
    return new UpdateEvents(
        storage.eventsDir(),
        storage.settings(),
        job.pipeline(),
        job.updateId(),
        job.updateNumber());
  }

  /** The journal, opened with {@code conf} (this record's {@link #hadoop} settings, made once). */
  public EventJournal journal(Configuration conf) {
    return new EventJournal(eventsDir, conf);
  }

  /** Where an event of this update about {@code flow} and {@code dataset} comes from. */
  public Event.Origin origin(Optional<String> flow, Optional<String> dataset) {
    return new Event.Origin(pipeline, updateId, flow, dataset);
  }
}
