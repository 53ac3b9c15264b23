package io.tributary.runtime.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines and counts where it is: the byte offset just after the last line
 * returned and that line's 1-based number. Bytes, not characters, so the offset is a position a
 * restored reader can skip to, and a line is decoded (or rejected) by its parser, not here. A UTF-8
 * byte order mark at the start is dropped; {@code \n} and {@code \r\n} end a line. Not thread-safe.
 */
final class LineReader {

  private static final int BUFFER = 64 * 1024;

  private final InputStream in;
  private final byte[] buffer = new byte[BUFFER];
  private int position;
  private int limit;
  private boolean endOfStream;
  private long offset;
  private long lineNumber;
  private boolean started;

  LineReader(InputStream in) {
    this.in = in;
  }

  /** The next line without its terminator, or {@code null} at the end of the stream. */
  byte[] next() throws IOException {
    if (!started) {
      started = true;
      skipByteOrderMark();
    }
    byte[] line = null;
    int lineLength = 0;
    while (true) {
      if (position == limit && !fill()) {
        if (line == null) {
          return null;
        }
        break;
      }
      int end = indexOfNewline();
      int chunkEnd = end < 0 ? limit : end;
      int chunk = chunkEnd - position;
      if (line == null) {
        line = new byte[Math.max(chunk, 16)];
      } else if (lineLength + chunk > line.length) {
        line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + chunk));
      }
      System.arraycopy(buffer, position, line, lineLength, chunk);
      lineLength += chunk;
      offset += chunk;
      position = chunkEnd;
      if (end >= 0) {
        position++;
        offset++;
        break;
      }
    }
    lineNumber++;
    if (lineLength > 0 && line[lineLength - 1] == '\r') {
      lineLength--;
    }
    return Arrays.copyOf(line, lineLength);
  }

  /** Bytes consumed so far, including line terminators and a byte order mark. */
  long offset() {
    return offset;
  }

  /** The number of the line {@link #next()} returned last (1-based; 0 before the first). */
  long lineNumber() {
    return lineNumber;
  }

  private void skipByteOrderMark() throws IOException {
    while (limit - position < 3 && !endOfStream) {
      if (position > 0) {
        System.arraycopy(buffer, position, buffer, 0, limit - position);
        limit -= position;
        position = 0;
      }
      int read = in.read(buffer, limit, buffer.length - limit);
      if (read < 0) {
        endOfStream = true;
      } else {
        limit += read;
      }
    }
    if (limit - position >= 3
        && (buffer[position] & 0xFF) == 0xEF
        && (buffer[position + 1] & 0xFF) == 0xBB
        && (buffer[position + 2] & 0xFF) == 0xBF) {
      position += 3;
      offset += 3;
    }
  }

  private int indexOfNewline() {
    for (int i = position; i < limit; i++) {
      if (buffer[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private boolean fill() throws IOException {
    if (endOfStream) {
      return false;
    }
    int read;
    do {
      read = in.read(buffer, 0, buffer.length);
    } while (read == 0);
    if (read < 0) {
      endOfStream = true;
      return false;
    }
    position = 0;
    limit = read;
    return true;
  }
}
