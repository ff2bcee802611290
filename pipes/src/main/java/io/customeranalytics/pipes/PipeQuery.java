package io.customeranalytics.pipes;

import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The SQL of one pipe request and its bound values. A result column named {@code rows_before_limit}, when the
 * SQL has one (typically {@code count(*) OVER ()}), gives the row count before the LIMIT; it is not output. A
 * column named {@code page_rows} says how many rows the page had before the SQL itself cut it at the byte bound
 * ({@link PipesConfig#maxAnswerBytes()}): fewer rows than that make the request a 400. A precondition's column
 * named {@code answer_bytes} is the size of the answer to come, taken from the {@link AnswerBudget} before the
 * rows are fetched.
 */
public record PipeQuery(String sql, Tuple params) {

    public static final String ROWS_BEFORE_LIMIT = "rows_before_limit";
    public static final String PAGE_ROWS = "page_rows";
    public static final String ANSWER_BYTES = "answer_bytes";
}
