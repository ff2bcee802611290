package io.customeranalytics.query.pipes;

import io.customeranalytics.pipes.PipeColumn;
import io.customeranalytics.pipes.DeclaredPipe;
import io.customeranalytics.pipes.PipeParam;
import io.customeranalytics.pipes.PipeParams;
import io.customeranalytics.pipes.PipeQuery;
import io.customeranalytics.pipes.PipeSql;
import jakarta.inject.Singleton;

import java.util.List;

/** {@code customer_activity}: the events of one customer, newest first. */
@Singleton
public class CustomerActivity extends DeclaredPipe {

    /**
     * The page, and beside it the count of every matching event: a scalar subquery, run once, that reads only
     * the narrow (customer_id, event_type, event_timestamp) index (V10); a window count over the page query would
     * read every matching row whole before the limit could apply.
     */
    private static final String COUNT_OF_EVENTS = """
            SELECT page.*,
                   (SELECT count(*) FROM customer_events WHERE true""";
    private static final String PAGE_OF_EVENTS = """
            ) AS rows_before_limit
            FROM (SELECT event_id, event_type, event_timestamp, session_id, page_url, product_id, category_id,
                         price, quantity, device_type, country, referrer
                  FROM customer_events
                  WHERE true""";
    private static final String NEWEST_FIRST = " ORDER BY event_timestamp DESC, event_id";

    private static final List<PipeParam> PARAMS = List.of(
            PipeParam.string("customer_id", "The customer", "cust-789").asRequired(),
            PipeParam.string("event_type", "Only events of this type", "page_view"),
            PipeParam.dateTime("start_date", "Events at or after this time", "2023-01-01 00:00:00"),
            PipeParam.endDateTime("end_date",
                    "Events at or before this time (given to the second, through that whole second)",
                    "2023-12-31 23:59:59"),
            PipeParam.limit(100, 10_000));

    private static final List<PipeColumn> COLUMNS = List.of(
            PipeColumn.string("event_id"),
            PipeColumn.string("event_type"),
            PipeColumn.dateTime("event_timestamp"),
            PipeColumn.nullableString("session_id"),
            PipeColumn.nullableString("page_url"),
            PipeColumn.nullableString("product_id"),
            PipeColumn.nullableString("category_id"),
            PipeColumn.nullableFloat64("price"),
            PipeColumn.nullableInt32("quantity"),
            PipeColumn.nullableString("device_type"),
            PipeColumn.nullableString("country"),
            PipeColumn.nullableString("referrer"));

    public CustomerActivity() {
        super("customer_activity", "Events of one customer (event_timestamp desc, event_id)", PARAMS, COLUMNS);
    }

    @Override
    public PipeQuery query(PipeParams params) {
        PipeSql sql = new PipeSql(COUNT_OF_EVENTS);
        int filterStart = sql.mark();
        sql.bind(" AND customer_id = ?", params.string("customer_id"))
                .bindIfPresent(" AND event_type = ?", params.string("event_type"))
                .bindIfPresent(" AND event_timestamp >= ?", params.dateTime("start_date"))
                .bindIfPresent(" AND event_timestamp <= ?", params.dateTime("end_date"));
        int filterEnd = sql.mark();
        return sql.append(PAGE_OF_EVENTS)
                .repeat(filterStart, filterEnd)
                .append(NEWEST_FIRST)
                .bind(" LIMIT ?", params.int32("limit"))
                .append(") page")
                .append(NEWEST_FIRST)
                .build();
    }
}
