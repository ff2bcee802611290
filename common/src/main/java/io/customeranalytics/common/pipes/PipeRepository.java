package io.customeranalytics.common.pipes;

import io.customeranalytics.common.error.ApiException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Runs the SQL of pipe requests; the one class of the pipe machinery that touches the pool. */
@ApplicationScoped
public class PipeRepository {

    private final Pool pool;

    public PipeRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<PipeResult> run(List<PipeColumn> columns, PipeQuery query) {
        long start = System.nanoTime();
        return pool.preparedQuery(query.sql())
                .execute(query.params())
                .map(rowSet -> toResult(columns, rowSet, start));
    }

    /** Runs {@code precondition} (failing with its verdict), then the query made from its row. */
    public Uni<PipeResult> run(List<PipeColumn> columns, PipeEndpoint.Precondition precondition,
                               Function<Row, PipeQuery> query) {
        return pool.preparedQuery(precondition.query().sql())
                .execute(precondition.query().params())
                .map(rows -> rows.iterator().next())
                .invoke(row -> {
                    ApiException failure = precondition.verdict().apply(row);
                    if (failure != null) {
                        throw failure;
                    }
                })
                .chain(row -> run(columns, query.apply(row)));
    }

    private static PipeResult toResult(List<PipeColumn> columns, RowSet<Row> rowSet, long start) {
        List<Object[]> rows = new ArrayList<>(rowSet.size());
        long rowsBeforeLimit = rowSet.size();
        boolean counted = rowSet.columnsNames() != null
                && rowSet.columnsNames().contains(PipeQuery.ROWS_BEFORE_LIMIT);
        long bytes = 0;
        boolean first = true;
        for (Row row : rowSet) {
            Object[] values = new Object[columns.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = columns.get(i).read(row);
                bytes += size(values[i]);
            }
            rows.add(values);
            if (first && counted) {
                rowsBeforeLimit = row.getLong(PipeQuery.ROWS_BEFORE_LIMIT);
                first = false;
            }
        }
        if (counted && rows.isEmpty()) {
            rowsBeforeLimit = 0;
        }
        return new PipeResult(columns, rows, rowsBeforeLimit, (System.nanoTime() - start) / 1e9, bytes);
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
