package io.tributary.runtime.delta;

import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Small adapters between Java collections and Kernel's closeable iterators. */
public final class KernelIterators {

  private KernelIterators() {}

  public static <T> CloseableIterator<T> of(Iterator<T> iterator) {
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        return iterator.hasNext();
      }

      @Override
      public T next() {
        return iterator.next();
      }

      @Override
      public void close() {}
    };
  }

  public static <T> List<T> drain(CloseableIterator<T> iterator) {
    List<T> out = new ArrayList<>();
    try (iterator) {
      iterator.forEachRemaining(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
