package io.customeranalytics.query.pipes;

import io.customeranalytics.pipes.PipeColumn;
import io.customeranalytics.pipes.DeclaredPipe;
import io.customeranalytics.pipes.PipeEndpoint;
import io.customeranalytics.pipes.PipeParam;
import io.customeranalytics.pipes.PipeParams;
import io.customeranalytics.pipes.PipeQuery;
import io.customeranalytics.pipes.PipeRepository;
import io.customeranalytics.pipes.PipeSql;
import io.customeranalytics.pipes.PipesConfig;
import io.customeranalytics.common.schema.Column;
import io.customeranalytics.common.schema.Datasource;
import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Produces;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code <datasource>_quarantine}: the rejected rows of a datasource, newest request first and the rows of one
 * request in the order they were sent; filtered on {@code insertion_date}. A quarantined row can be as large as
 * the request that held it, so the page's size is summed in the database and the rows past the byte bound are
 * never sent (the request is then a 400 that says how many rows fit). Scope {@code ADMIN} or
 * {@code DATASOURCES:READ:<datasource>_quarantine}.
 */
public final class QuarantinePipe extends DeclaredPipe {

    private static final List<PipeParam> PARAMS = List.of(
            PipeParam.dateTime("start_date", "Rows quarantined at or after this time", "2023-06-01 00:00:00"),
            PipeParam.endDateTime("end_date",
                    "Rows quarantined at or before this time (given to the second, through that whole second)",
                    "2023-06-30 23:59:59"),
            PipeParam.limit(100, 10_000));

    private static final String ORDER = "insertion_date DESC, c__import_id, c__seq";

    private final String selectRejected;
    private final String sizeRejected;

    QuarantinePipe(Datasource datasource, long maxAnswerBytes) {
        super(datasource.quarantineTableName(),
                "Rows of " + datasource.tableName() + " that were quarantined, with the reasons",
                PARAMS, columnsOf(datasource));
        this.datasource = datasource;
        this.maxAnswerBytes = maxAnswerBytes;
        // Table and column names come from the Datasource definition, never from the request.
        String rowBytes = "8 + 36 + coalesce(octet_length(array_to_string(c__error_column, '')), 0)"
                + " + coalesce(octet_length(array_to_string(c__error, '')), 0) + coalesce(octet_length(c__raw), 0)"
                + datasource.columns().stream().map(c -> " + coalesce(octet_length(" + c.name() + "), 0)")
                        .collect(Collectors.joining());
        String position = "row_number() OVER (ORDER BY " + ORDER + ") AS position";
        this.selectRejected = "SELECT * FROM (SELECT page.*, count(*) OVER () AS " + PipeQuery.PAGE_ROWS
                + ", sum(row_bytes) OVER (ORDER BY position) AS running_bytes FROM ("
                + "SELECT insertion_date, c__import_id, c__error_column, c__error, c__raw, "
                + datasource.columns().stream().map(Column::name).collect(Collectors.joining(", "))
                + ", " + rowBytes + " AS row_bytes, " + position
                + ", count(*) OVER () AS rows_before_limit FROM " + datasource.quarantineTableName() + " WHERE true";
        this.sizeRejected = "SELECT coalesce(sum(row_bytes), 0) AS " + PipeQuery.ANSWER_BYTES + ", count(*) AS "
                + PipeQuery.PAGE_ROWS + ", count(*) FILTER (WHERE running_bytes <= ?) AS fitting FROM ("
                + "SELECT row_bytes, sum(row_bytes) OVER (ORDER BY position) AS running_bytes FROM (SELECT "
                + rowBytes + " AS row_bytes, " + position + " FROM " + datasource.quarantineTableName()
                + " WHERE true";
    }

    private final Datasource datasource;
    private final long maxAnswerBytes;

    private static List<PipeColumn> columnsOf(Datasource datasource) {
        List<PipeColumn> all = new ArrayList<>(List.of(
                PipeColumn.dateTime("insertion_date"),
                PipeColumn.string("c__import_id"),
                PipeColumn.stringArray("c__error_column"),
                PipeColumn.stringArray("c__error"),
                PipeColumn.string("c__raw")));
        for (Column column : datasource.columns()) {
            all.add(PipeColumn.nullableString(column.name()));
        }
        return all;
    }

    /** The three quarantine endpoints. */
    static final class Producers {
        @Produces
        @Singleton
        PipeEndpoint eventsQuarantine(PipesConfig config) {
            return new QuarantinePipe(Datasource.CUSTOMER_EVENTS, config.maxAnswerBytes());
        }

        @Produces
        @Singleton
        PipeEndpoint profilesQuarantine(PipesConfig config) {
            return new QuarantinePipe(Datasource.CUSTOMER_PROFILES, config.maxAnswerBytes());
        }

        @Produces
        @Singleton
        PipeEndpoint segmentsQuarantine(PipesConfig config) {
            return new QuarantinePipe(Datasource.CUSTOMER_SEGMENTS, config.maxAnswerBytes());
        }
    }

    /** The page's size, summed in the database without reading its rows: refused when over the byte bound. */
    @Override
    public Optional<Precondition> precondition(PipeParams params) {
        PipeQuery size = page(new PipeSql("").bind(sizeRejected, maxAnswerBytes), params)
                .append(") page) sized")
                .build();
        return Optional.of(new Precondition(size, row -> row.getLong("fitting") < row.getLong(PipeQuery.PAGE_ROWS)
                ? PipeRepository.tooLarge(row.getLong("fitting").intValue(), maxAnswerBytes)
                : null));
    }

    @Override
    public PipeQuery query(PipeParams params) {
        // Rows past the byte bound are never sent, even if the page grew since its size was summed.
        return page(new PipeSql(selectRejected), params)
                .bind(") page) sized WHERE running_bytes <= ?", maxAnswerBytes)
                .append(" ORDER BY position")
                .build();
    }

    private static PipeSql page(PipeSql head, PipeParams params) {
        return head
                .bindIfPresent(" AND insertion_date >= ?", params.dateTime("start_date"))
                .bindIfPresent(" AND insertion_date <= ?", params.dateTime("end_date"))
                .append(" ORDER BY " + ORDER)
                .bind(" LIMIT ?", params.int32("limit"));
    }
}
