package io.customeranalytics.pipes;

import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Builds a pipe's SQL from fixed fragments: each fragment's {@code ?} becomes the next {@code $n} and its value is
 * bound, never spliced into the text.
 */
public final class PipeSql {

    private final StringBuilder text = new StringBuilder();
    private final Tuple tuple = Tuple.tuple();
    private int count;

    public PipeSql(String head) {
        text.append(head);
    }

    /** Appends {@code fragment} (fixed text with one {@code ?}) and binds {@code value} to it. */
    public PipeSql bind(String fragment, Object value) {
        int mark = fragment.indexOf('?');
        if (mark < 0 || fragment.indexOf('?', mark + 1) >= 0) {
            throw new IllegalArgumentException("a fragment takes exactly one '?': " + fragment);
        }
        count++;
        tuple.addValue(value);
        text.append(fragment, 0, mark).append('$').append(count).append(fragment, mark + 1, fragment.length());
        return this;
    }

    /** Appends {@code fragment}, every {@code ?} of which stands for the same {@code value}, bound once. */
    public PipeSql bindShared(String fragment, Object value) {
        if (fragment.indexOf('?') < 0) {
            throw new IllegalArgumentException("a shared fragment takes at least one '?': " + fragment);
        }
        count++;
        tuple.addValue(value);
        text.append(fragment.replace("?", "$" + count));
        return this;
    }

    /** Appends {@code fragment} and binds {@code value} when the value is present; otherwise does nothing. */
    public PipeSql bindIfPresent(String fragment, Object value) {
        return value == null ? this : bind(fragment, value);
    }

    /** The position reached so far, for {@link #repeat(int, int)}. */
    public int mark() {
        return text.length();
    }

    /**
     * Appends again the text appended between two {@link #mark()}s: its parameters refer to the values bound
     * there, so a filter written once can be used by two parts of one statement.
     */
    public PipeSql repeat(int from, int to) {
        if (from < 0 || from > to || to > text.length()) {
            throw new IllegalArgumentException("not a range of this statement: " + from + ".." + to);
        }
        text.append(text.substring(from, to));
        return this;
    }

    /** Appends fixed text with no parameter. */
    public PipeSql append(String fixed) {
        if (fixed.indexOf('?') >= 0) {
            throw new IllegalArgumentException("use bind() for a fragment with a parameter: " + fixed);
        }
        text.append(fixed);
        return this;
    }

    public PipeQuery build() {
        return new PipeQuery(text.toString(), tuple);
    }
}
