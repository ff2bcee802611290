package io.customeranalytics.pipes;

import io.customeranalytics.common.error.ApiException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs the SQL of pipe requests; the one class of the pipe machinery that touches the pool. Every query is
 * cancelled in the database when its client goes away or its statement timeout passes, and no answer holds more
 * than {@link PipesConfig#maxAnswerBytes()} bytes of values.
 */
@ApplicationScoped
public class PipeRepository {

    /**
     * The most rows an answer may have to be read into values and rendered on the event loop that received them.
     * A larger one moves to a worker thread: 100,000 rows of segment_customers (38 MB of JSON at M) take about
     * 0.4 s of the service's CPU, which would hold the loop and every request it serves. A small answer stays:
     * the hop would cost a per-customer page more than it saves (bench/results/README.md, "Big answers").
     */
    static final int EVENT_LOOP_ROWS = 1_000;

    private final Pool pool;
    private final PipesConfig config;

    public PipeRepository(Pool pool, PipesConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /**
     * Runs {@code query}; its answer's bytes are taken into {@code share}. An answer of more than {@link
     * #EVENT_LOOP_ROWS} rows is read into values, and rendered after, on a worker thread.
     */
    public Uni<PipeResult> run(PipeEndpoint endpoint, PipeQuery query, AnswerBudget.Share share) {
        long start = System.nanoTime();
        return execute(endpoint, query)
                .chain(rowSet -> rowSet.size() <= EVENT_LOOP_ROWS
                        ? Uni.createFrom().item(rowSet)
                        : Uni.createFrom().item(rowSet).emitOn(Infrastructure.getDefaultWorkerPool()))
                .map(rowSet -> toResult(endpoint.columns(), rowSet, start, config.maxAnswerBytes()))
                .invoke(result -> share.growTo(result.bytesRead()));
    }

    /**
     * Runs {@code precondition} (failing with its verdict), takes the answer's size into {@code share} when the
     * precondition tells it, then runs the query made from its row.
     */
    public Uni<PipeResult> run(PipeEndpoint endpoint, PipeEndpoint.Precondition precondition,
                               Function<Row, PipeQuery> query, AnswerBudget.Share share) {
        return execute(endpoint, precondition.query())
                .map(rows -> rows.iterator().next())
                .invoke(row -> {
                    ApiException failure = precondition.verdict().apply(row);
                    if (failure != null) {
                        throw failure;
                    }
                    if (row.getColumnIndex(PipeQuery.ANSWER_BYTES) >= 0) {
                        share.growTo(row.getLong(PipeQuery.ANSWER_BYTES));
                    }
                })
                .chain(row -> run(endpoint, query.apply(row), share));
    }

    private Uni<RowSet<Row>> execute(PipeEndpoint endpoint, PipeQuery query) {
        Duration timeout = config.statementTimeout(endpoint.name());
        return Uni.createFrom().deferred(() -> {
            CancellableQuery running = CancellableQuery.start(pool.getDelegate(), query.sql(),
                    query.params().getDelegate());
            return Uni.createFrom().completionStage(running.rows().toCompletionStage())
                    .map(rows -> RowSet.newInstance(rows, Row.__TYPE_ARG))
                    .ifNoItem().after(timeout).failWith(StatementTimeout::new)
                    .onFailure(StatementTimeout.class).transform(e -> {
                        running.cancel();
                        return timedOut(endpoint, timeout);
                    })
                    .onCancellation().invoke(running::cancel);
        });
    }

    /** The statement timeout of one query passed. */
    private static final class StatementTimeout extends RuntimeException {
        StatementTimeout() {
            super(null, null, false, false);
        }
    }

    private static ApiException timedOut(PipeEndpoint endpoint, Duration timeout) {
        return new ApiException(503, endpoint.name() + " did not answer within its statement timeout of "
                + timeout.toMillis() / 1000.0 + " s (analytics.pipes.statement-timeout); the query was cancelled",
                ApiException.DOC_ERRORS, 5, null, null);
    }

    private static PipeResult toResult(List<PipeColumn> columns, RowSet<Row> rowSet, long start, long maxBytes) {
        List<Object[]> rows = new ArrayList<>(rowSet.size());
        long rowsBeforeLimit = rowSet.size();
        List<String> names = rowSet.columnsNames() == null ? List.of() : rowSet.columnsNames();
        boolean counted = names.contains(PipeQuery.ROWS_BEFORE_LIMIT);
        long bytes = 0;
        boolean first = true;
        for (Row row : rowSet) {
            Object[] values = new Object[columns.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = columns.get(i).read(row);
                bytes += size(values[i]);
            }
            if (bytes > maxBytes) {
                throw tooLarge(rows.size(), maxBytes);
            }
            rows.add(values);
            if (first && counted) {
                rowsBeforeLimit = row.getLong(PipeQuery.ROWS_BEFORE_LIMIT);
                first = false;
            }
        }
        // A page cut to no row at all cannot say so; its endpoint's precondition refused it before (the page's
        // first row alone over the bound) unless the page changed in between.
        if (names.contains(PipeQuery.PAGE_ROWS) && !rows.isEmpty()
                && rowSet.iterator().next().getLong(PipeQuery.PAGE_ROWS) > rows.size()) {
            throw tooLarge(rows.size(), maxBytes);
        }
        if (counted && rows.isEmpty()) {
            rowsBeforeLimit = 0;
        }
        return new PipeResult(columns, rows, rowsBeforeLimit, (System.nanoTime() - start) / 1e9, bytes);
    }

    /** An answer over the byte bound, of which {@code fitting} rows fit. */
    public static ApiException tooLarge(int fitting, long maxBytes) {
        String advice = fitting == 0 ? "its first row alone is larger"
                : "its first " + fitting + " rows fit: ask with limit=" + fitting + " or narrower filters";
        return ApiException.badRequest("the answer would hold more than " + maxBytes
                + " bytes of values (analytics.pipes.max-answer-bytes); " + advice, ApiException.DOC_PIPES);
    }

    /** The size of a value as the database sends it in binary form (text as UTF-8). */
    private static long size(Object value) {
        if (value == null) {
            return 0;
        }
        if (value instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8).length;
        }
        if (value instanceof String[] array) {
            long total = 0;
            for (String s : array) {
                total += s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
            }
            return total;
        }
        if (value instanceof Integer) {
            return 4;
        }
        return 8;
    }
}
