package io.tributary.runtime.delta.write;

import io.tributary.runtime.delta.DeltaDataFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What an upsert writer did to one bucket of a keyed table in one epoch, as it hands it to the
 * committer: the bucket's logical files it replaces ({@code removed}, all of them live in the table
 * once the previous epochs are committed) and the logical files holding the bucket's new content
 * ({@code added}; empty if every row of the bucket was deleted). A logical file is a data file with
 * its deletion vector: a file whose rows are deleted by a deletion vector is in both lists, removed
 * with its old vector and added again with the new one, as Delta's own DML commits it.
 */
record DeltaBucketChange(int bucket, List<DeltaDataFile> removed, List<DeltaDataFile> added) {

  DeltaBucketChange {
    removed = List.copyOf(removed);
    added = List.copyOf(added);
  }

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(bucket);
      writeFiles(out, removed);
      writeFiles(out, added);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static DeltaBucketChange fromBytes(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return new DeltaBucketChange(in.readInt(), readFiles(in), readFiles(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void writeFiles(DataOutputStream out, List<DeltaDataFile> files) throws IOException {
    out.writeInt(files.size());
    for (DeltaDataFile file : files) {
      file.writeTo(out);
    }
  }

  static List<DeltaDataFile> readFiles(DataInputStream in) throws IOException {
    return readFiles(in, true);
  }

  static List<DeltaDataFile> readFiles(DataInputStream in, boolean withDeletionVectors)
      throws IOException {
    int n = in.readInt();
    List<DeltaDataFile> files = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      files.add(DeltaDataFile.readFrom(in, withDeletionVectors));
    }
    return files;
  }
}
