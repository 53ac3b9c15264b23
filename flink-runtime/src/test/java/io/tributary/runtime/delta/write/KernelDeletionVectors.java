package io.tributary.runtime.delta.write;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.deletionvectors.DeletionVectorStoredBitmap;
import io.tributary.runtime.delta.DeltaDeletionVector;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/** Test helper: Kernel's own reader of a deletion vector, to check the bytes Tributary writes. */
final class KernelDeletionVectors {

  private KernelDeletionVectors() {}

  static long[] read(String tableRoot, DeltaDeletionVector dv) throws Exception {
    DeletionVectorDescriptor descriptor =
        new DeletionVectorDescriptor(
            dv.storageType(),
            dv.pathOrInlineDv(),
            Optional.of(dv.offset()),
            dv.sizeInBytes(),
            dv.cardinality());
    return new DeletionVectorStoredBitmap(descriptor, Optional.of(tableRoot))
        .load(DefaultEngine.create(new Configuration()).getFileSystemClient())
        .toArray();
  }
}
