package io.customeranalytics.query.pipes;

import io.customeranalytics.common.auth.Scope;
import io.customeranalytics.common.pipes.PipeColumn;
import io.customeranalytics.common.pipes.DeclaredPipe;
import io.customeranalytics.common.pipes.PipeEndpoint;
import io.customeranalytics.common.pipes.PipeParam;
import io.customeranalytics.common.pipes.PipeParams;
import io.customeranalytics.common.pipes.PipeQuery;
import io.customeranalytics.common.pipes.PipeSql;
import io.customeranalytics.common.schema.Column;
import io.customeranalytics.common.schema.Datasource;
import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Produces;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code <datasource>_quarantine}: the rejected rows of a datasource, newest request first and the rows of one
 * request in the order they were sent; filtered on {@code insertion_date}. Scope {@code ADMIN} or
 * {@code DATASOURCES:READ:<datasource>_quarantine}.
 */
public final class QuarantinePipe extends DeclaredPipe {

    private static final List<PipeParam> PARAMS = List.of(
            PipeParam.dateTime("start_date", "Rows quarantined at or after this time", "2023-06-01 00:00:00"),
            PipeParam.endDateTime("end_date",
                    "Rows quarantined at or before this time (given to the second, through that whole second)",
                    "2023-06-30 23:59:59"),
            PipeParam.limit(100, 10_000));

    private final String selectRejected;

    QuarantinePipe(Datasource datasource) {
        super(datasource.quarantineTableName(),
                "Rows of " + datasource.tableName() + " that were quarantined, with the reasons",
                PARAMS, columnsOf(datasource));
        this.datasource = datasource;
        // Table and column names come from the Datasource definition, never from the request.
        this.selectRejected = "SELECT insertion_date, c__import_id, c__error_column, c__error, c__raw, "
                + datasource.columns().stream().map(Column::name).collect(Collectors.joining(", "))
                + ", count(*) OVER () AS rows_before_limit FROM " + datasource.quarantineTableName() + " WHERE true";
    }

    private final Datasource datasource;

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
        PipeEndpoint eventsQuarantine() {
            return new QuarantinePipe(Datasource.CUSTOMER_EVENTS);
        }

        @Produces
        @Singleton
        PipeEndpoint profilesQuarantine() {
            return new QuarantinePipe(Datasource.CUSTOMER_PROFILES);
        }

        @Produces
        @Singleton
        PipeEndpoint segmentsQuarantine() {
            return new QuarantinePipe(Datasource.CUSTOMER_SEGMENTS);
        }
    }

    @Override
    public String scope() {
        return Scope.read(datasource.quarantineTableName());
    }

    @Override
    public PipeQuery query(PipeParams params) {
        return new PipeSql(selectRejected)
                .bindIfPresent(" AND insertion_date >= ?", params.dateTime("start_date"))
                .bindIfPresent(" AND insertion_date <= ?", params.dateTime("end_date"))
                .append(" ORDER BY insertion_date DESC, c__import_id, c__seq")
                .bind(" LIMIT ?", params.int32("limit"))
                .build();
    }
}
