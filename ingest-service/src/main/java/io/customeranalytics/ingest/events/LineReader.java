package io.customeranalytics.ingest.events;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines on {@code \n}, dropping a trailing {@code \r} and a leading UTF-8 byte order
 * mark. Only one line is held at a time, of at most {@code maxLineBytes}.
 */
final class LineReader {

    private final InputStream in;
    private final long maxLineBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private byte[] line = new byte[1024];
    private boolean first = true;

    /** @throws LineTooLongException from {@link #next} for a line of more than {@code maxLineBytes} */
    LineReader(InputStream in, long maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** A line longer than the reader holds. */
    static final class LineTooLongException extends IOException {
        LineTooLongException(long max) {
            super("a line is longer than " + max + " bytes", null);
        }
    }

    /** The next line without its terminator, or null at the end of the stream. */
    byte[] next() throws IOException {
        int length = 0;
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return any ? finish(length) : null;
                }
            }
            any = true;
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            int chunk = position - start;
            if ((long) length + chunk > maxLineBytes) {
                throw new LineTooLongException(maxLineBytes);
            }
            if (length + chunk > line.length) {
                line = Arrays.copyOf(line, Math.max(line.length * 2, length + chunk));
            }
            System.arraycopy(buffer, start, line, length, chunk);
            length += chunk;
            if (position < limit) {
                position++; // the '\n'
                return finish(length);
            }
        }
    }

    private byte[] finish(int length) {
        int from = 0;
        if (first) {
            first = false;
            if (length >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
                from = 3;
            }
        }
        int to = length;
        if (to > from && line[to - 1] == '\r') {
            to--;
        }
        return Arrays.copyOfRange(line, from, to);
    }

    static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\f') {
                return false;
            }
        }
        return true;
    }
}
