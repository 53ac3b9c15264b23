package io.tributary.runtime.delta.write;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;

/**
 * The run of a job that writes a table's data and deletion-vector files, carried in the name of every
 * file it writes, so that a later run can prove from a file's name alone that it belongs to a run that
 * is over (killed, failed) and no other.
 *
 * <p>File names keep Delta's usual forms ({@code part-00000-<uuid>-<n>.snappy.parquet},
 * {@code deletion_vector_<uuid>.bin}); only the UUID changes. A file written by a job's operators has a
 * <em>version 8</em> UUID (RFC 9562's vendor-defined layout), whose bits carry:
 * <ul>
 *   <li>the <b>lineage</b> (24 bits): a hash of the Delta transaction app id (pipeline, flow, table,
 *       generation), so a run only ever judges the files of its own lineage, never those of another
 *       writer of the same table (a {@code once} flow, compaction);</li>
 *   <li>the <b>attempt</b> (48 bits): a hash of the Flink {@code JobID}, new at every submission
 *       (every update, retry and restart for new columns);</li>
 *   <li>a sequence (50 bits) from a random start per JVM, which keeps the names of one run apart.</li>
 * </ul>
 * Every other writer (compaction, files written before this scheme) uses random version 4 UUIDs, which
 * {@link #ownerOf} never reads as an attempt: such files are left to VACUUM. Nothing of this is kept in
 * state: the job id is the run's, and a restored run knows the files it must keep from its restored
 * pending epochs.
 *
 * <p>The attempt is the job, not Flink's per-task attempt number: a failover within a job keeps its job
 * id, so its failed attempts' files are judged only by the next job of the lineage.
 */
public final class WriterAttempt {

  private static final long SEQUENCE_MASK = (1L << 50) - 1;
  private static final long ATTEMPT_MASK = (1L << 48) - 1;
  private static final int LINEAGE_MASK = (1 << 24) - 1;
  private static final AtomicLong SEQUENCE = new AtomicLong(new SecureRandom().nextLong());
  private static final Pattern UUID_IN_NAME =
      Pattern.compile(
          "(?:part-\\d{5}-(\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12})-\\d+\\.snappy\\.parquet"
              + "|deletion_vector_(\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12})\\.bin)");

  private final int lineage;
  private final long attempt;

  private WriterAttempt(int lineage, long attempt) {
    this.lineage = lineage & LINEAGE_MASK;
    this.attempt = attempt & ATTEMPT_MASK;
  }

  /** The run of {@code job} writing for transaction app id {@code appId}. */
  public static WriterAttempt of(String appId, JobID job) {
    long mixed = job.getLowerPart() * 0x9E3779B97F4A7C15L ^ job.getUpperPart();
    return new WriterAttempt(appId.hashCode() ^ (appId.hashCode() >>> 24), mixed ^ (mixed >>> 48));
  }

  /** A new UUID for a file this run writes: unique, and naming this run. */
  public UUID newFileId() {
    long msb = (attempt << 16) | 0x8000L | (lineage >>> 12);
    long lsb =
        (0b10L << 62)
            | ((long) (lineage & 0xFFF) << 50)
            | (SEQUENCE.getAndIncrement() & SEQUENCE_MASK);
    return new UUID(msb, lsb);
  }

  /**
   * The run whose name {@code fileName} (a file name, no folder) carries, if it is a data or
   * deletion-vector file named by a run; empty for every other name.
   */
  public static Optional<WriterAttempt> ownerOf(String fileName) {
    Matcher m = UUID_IN_NAME.matcher(fileName);
    if (!m.matches()) {
      return Optional.empty();
    }
    UUID uuid = UUID.fromString(m.group(1) != null ? m.group(1) : m.group(2));
    if (uuid.version() != 8 || uuid.variant() != 2) {
      return Optional.empty();
    }
    long msb = uuid.getMostSignificantBits();
    long lsb = uuid.getLeastSignificantBits();
    int lineage = (int) ((msb & 0xFFF) << 12 | (lsb >>> 50) & 0xFFF);
    return Optional.of(new WriterAttempt(lineage, msb >>> 16));
  }

  /** Whether {@code other} is another run (not this one) of this run's lineage. */
  public boolean isOtherRunOfTheSameLineage(WriterAttempt other) {
    return other.lineage == lineage && other.attempt != attempt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WriterAttempt w && w.lineage == lineage && w.attempt == attempt;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(attempt) * 31 + lineage;
  }

  @Override
  public String toString() {
    return String.format("run %012x of lineage %06x", attempt, lineage);
  }
}
