package io.customeranalytics.bench.data;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/** One COPY ... FROM STDIN in CSV, fed row by row through a bounded buffer. */
public final class CsvCopy {

    private static final int COPY_BUFFER_BYTES = 4 << 20;

    private final CopyIn copy;
    private final StringBuilder buffer = new StringBuilder(COPY_BUFFER_BYTES + 4096);
    private long rows;

    public CsvCopy(Connection connection, String sql) {
        try {
            this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public long rows() {
        return rows;
    }

    public void row(Object... values) {
        append(buffer, values);
        rows++;
        if (buffer.length() >= COPY_BUFFER_BYTES) {
            flush();
        }
    }

    private void flush() {
        byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
        try {
            copy.writeToCopy(bytes, 0, bytes.length);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        buffer.setLength(0);
    }

    /**
     * One CSV record, with its line feed: null is an empty unquoted value (COPY's NULL), an empty string is quoted.
     */
    public static void append(StringBuilder out, Object... values) {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            Object value = values[i];
            if (value == null) {
                continue;
            }
            String text = value.toString();
            if (text.isEmpty() || text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0
                    || text.indexOf('\r') >= 0) {
                out.append('"').append(text.replace("\"", "\"\"")).append('"');
            } else {
                out.append(text);
            }
        }
        out.append('\n');
    }

    public long finish() {
        flush();
        try {
            return copy.endCopy();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
