/**
 * The public API to read a pipeline's tables from a service or a test:
 * {@link io.tributary.runtime.tables.PipelineTables#open(String)} gives each table as a
 * {@link io.tributary.runtime.tables.TableView} (rows, schema, version, history).
 */
package io.tributary.runtime.tables;
