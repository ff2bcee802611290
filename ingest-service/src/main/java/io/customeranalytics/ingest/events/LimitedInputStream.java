package io.customeranalytics.ingest.events;

import io.customeranalytics.common.error.ApiException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts the bytes read through it and fails with a 413 as soon as there are more than the limit. */
final class LimitedInputStream extends FilterInputStream {

    private final long limit;
    private final String what;
    private long count;

    LimitedInputStream(InputStream in, long limit, String what) {
        super(in);
        this.limit = limit;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            add(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        add(skipped);
        return skipped;
    }

    private void add(long n) {
        count += n;
        if (count > limit) {
            throw tooLarge(what, limit);
        }
    }

    /** The bytes read through it so far. */
    long count() {
        return count;
    }

    static ApiException tooLarge(String what, long limit) {
        return ApiException.payloadTooLarge(what + " is larger than " + limit + " bytes; nothing was stored."
                + " Split it into smaller requests.");
    }
}
