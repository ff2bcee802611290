package io.customeranalytics.common.pipes;

import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The SQL of one pipe request and its bound values. A result column named {@code rows_before_limit}, when the
 * SQL has one (typically {@code count(*) OVER ()}), gives the row count before the LIMIT; it is not output.
 */
public record PipeQuery(String sql, Tuple params) {

    public static final String ROWS_BEFORE_LIMIT = "rows_before_limit";
}
