package io.customeranalytics.query.pipes;

import io.customeranalytics.common.pipes.PipeColumn;
import io.customeranalytics.common.pipes.DeclaredPipe;
import io.customeranalytics.common.pipes.PipeParam;
import io.customeranalytics.common.pipes.PipeParams;
import io.customeranalytics.common.pipes.PipeQuery;
import io.customeranalytics.common.pipes.PipeSql;
import jakarta.inject.Singleton;

import java.util.List;

/** {@code customer_activity}: the events of one customer, newest first. */
@Singleton
public class CustomerActivity extends DeclaredPipe {

    private static final String EVENTS_OF_CUSTOMER = """
            SELECT event_id, event_type, event_timestamp, session_id, page_url, product_id, category_id, price,
                   quantity, device_type, country, referrer,
                   count(*) OVER () AS rows_before_limit
            FROM customer_events
            WHERE true""";

    private static final List<PipeParam> PARAMS = List.of(
            PipeParam.string("customer_id", "The customer", "cust-789").asRequired(),
            PipeParam.string("event_type", "Only events of this type", "page_view"),
            PipeParam.dateTime("start_date", "Events at or after this time", "2023-01-01 00:00:00"),
            PipeParam.dateTime("end_date", "Events at or before this time", "2023-12-31 23:59:59"),
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
        return new PipeSql(EVENTS_OF_CUSTOMER)
                .bind(" AND customer_id = ?", params.string("customer_id"))
                .bindIfPresent(" AND event_type = ?", params.string("event_type"))
                .bindIfPresent(" AND event_timestamp >= ?", params.dateTime("start_date"))
                .bindIfPresent(" AND event_timestamp <= ?", params.dateTime("end_date"))
                .append(" ORDER BY event_timestamp DESC, event_id")
                .bind(" LIMIT ?", params.int32("limit"))
                .build();
    }
}
