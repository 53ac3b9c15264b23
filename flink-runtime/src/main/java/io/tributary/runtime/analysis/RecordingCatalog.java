package io.tributary.runtime.analysis;

import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.flink.table.catalog.CatalogBaseTable;
import org.apache.flink.table.catalog.GenericInMemoryCatalog;
import org.apache.flink.table.catalog.ObjectPath;
import org.apache.flink.table.catalog.exceptions.TableNotExistException;

/**
 * The analyzer's catalog of placeholder tables. It records the tables the planner looks up, which is
 * how the reads of a SQL query are learned from the planner itself rather than from our own parsing.
 */
final class RecordingCatalog extends GenericInMemoryCatalog {

  static final String NAME = "tributary";
  static final String DATABASE = "pipeline";

  private final Set<String> lookedUp = new LinkedHashSet<>();

  RecordingCatalog() {
    super(NAME, DATABASE);
  }

  @Override
  public CatalogBaseTable getTable(ObjectPath tablePath) throws TableNotExistException {
    lookedUp.add(tablePath.getObjectName());
    return super.getTable(tablePath);
  }

  /** Forgets what was looked up so far. */
  void resetLookups() {
    lookedUp.clear();
  }

  /** The table names looked up since the last reset. */
  Set<String> lookups() {
    return Set.copyOf(lookedUp);
  }
}
