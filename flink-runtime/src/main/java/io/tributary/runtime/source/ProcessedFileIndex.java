package io.tributary.runtime.source;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The enumerator's working copy of {@link ProcessedFiles}: answers "was this path taken in?" and records
 * new files, compacting {@code recent} into the log when it grows. Not thread-safe: used only in the
 * coordinator thread. The log's paths are decoded lazily, once per log, into a sorted array for binary
 * search (a restored enumerator pays the decode on its first listing, not on restore).
 */
final class ProcessedFileIndex {

  private final long maxFileAgeMillis;
  private final Map<String, Long> recent;
  private long expiredBefore;
  private long newest;
  private int logCount;
  private byte[] log;
  private String[] logPaths;

  /**
   * @param files the restored state
   * @param maxFileAgeMillis files older than the newest one minus this are forgotten and ignored;
   *     {@code Long.MAX_VALUE} to remember every file
   */
  ProcessedFileIndex(ProcessedFiles files, long maxFileAgeMillis) {
    this.maxFileAgeMillis = maxFileAgeMillis;
    this.recent = new HashMap<>(files.recent());
    this.expiredBefore = files.expiredBefore();
    this.newest = files.newestModificationTime();
    this.logCount = files.logCount();
    this.log = files.log();
  }

  /** Whether {@code path} was taken in; fills in the modification time of a path restored without one. */
  boolean contains(String path, long modificationTime) {
    Long known = recent.get(path);
    if (known != null) {
      if (known == ProcessedFiles.UNKNOWN_TIME) {
        recent.put(path, modificationTime);
      }
      return true;
    }
    return logCount > 0 && Arrays.binarySearch(logPaths(), path) >= 0;
  }

  /** Whether a file modified at {@code modificationTime} is older than the low-water mark. */
  boolean expired(long modificationTime) {
    return modificationTime < expiredBefore;
  }

  /** Records a file as taken in. */
  void add(String path, long modificationTime) {
    recent.put(path, modificationTime);
    newest = Math.max(newest, modificationTime);
  }

  /** After a listing: moves the low-water mark and compacts when {@code recent} is large. */
  void afterListing() {
    if (maxFileAgeMillis != Long.MAX_VALUE && newest != Long.MIN_VALUE) {
      expiredBefore = Math.max(expiredBefore, newest - maxFileAgeMillis);
    }
    if (recent.size() >= ProcessedFiles.COMPACT_AT) {
      compact();
    }
  }

  /** Folds {@code recent} into the log, dropping files older than the low-water mark. */
  void compact() {
    TreeMap<String, Long> all = new TreeMap<>();
    ProcessedFiles.decode(
        log,
        logCount,
        (path, time) -> {
          if (time >= expiredBefore) {
            all.put(path, time);
          }
        });
    recent.forEach(
        (path, time) -> {
          if (time >= expiredBefore) {
            all.put(path, time);
          }
        });
    log = ProcessedFiles.encode(all);
    logCount = all.size();
    logPaths = all.keySet().toArray(new String[0]);
    recent.clear();
  }

  long expiredBefore() {
    return expiredBefore;
  }

  ProcessedFiles snapshot() {
    return new ProcessedFiles(expiredBefore, newest, logCount, log, recent);
  }

  private String[] logPaths() {
    if (logPaths == null) {
      String[] paths = new String[logCount];
      int[] next = {0};
      ProcessedFiles.decode(log, logCount, (path, time) -> paths[next[0]++] = path);
      logPaths =
          paths; // the log was written from a TreeMap, so it is in String order, as binarySearch
      // needs
    }
    return logPaths;
  }
}
