package io.customeranalytics.query.pipes;

import io.customeranalytics.pipes.PipeColumn;
import io.customeranalytics.common.schema.Revenue;
import io.customeranalytics.pipes.DeclaredPipe;
import io.customeranalytics.pipes.PipeParam;
import io.customeranalytics.pipes.PipeParams;
import io.customeranalytics.pipes.PipeQuery;
import io.customeranalytics.pipes.PipeSql;
import jakarta.inject.Singleton;

import java.util.List;

/** {@code customer_purchase_history}: the purchase events of one customer, newest first. */
@Singleton
public class CustomerPurchaseHistory extends DeclaredPipe {

    /**
     * The page, and beside it the count of every matching purchase. The count is a scalar subquery, run once,
     * that reads only the narrow (customer_id, event_type, event_timestamp) index (V10); a window count over the
     * page query would read every matching row whole before the limit could apply.
     */
    private static final String COUNT_OF_PURCHASES = """
            SELECT page.*,
                   (SELECT count(*) FROM customer_events WHERE event_type = 'purchase'""";
    private static final String PAGE_OF_PURCHASES = """
            ) AS rows_before_limit
            FROM (SELECT event_id, event_timestamp, product_id, category_id, price, quantity,
                         %s AS total_amount,
                         session_id, page_url, device_type, country
                  FROM customer_events
                  WHERE event_type = 'purchase'""".formatted(Revenue.OF_EVENT);
    private static final String NEWEST_FIRST = " ORDER BY event_timestamp DESC, event_id";

    private static final List<PipeParam> PARAMS = List.of(
            PipeParam.string("customer_id", "The customer", "cust-789").asRequired(),
            PipeParam.dateTime("start_date", "Purchases at or after this time", "2023-01-01 00:00:00"),
            PipeParam.endDateTime("end_date",
                    "Purchases at or before this time (given to the second, through that whole second)",
                    "2023-12-31 23:59:59"),
            PipeParam.string("category_id", "Only purchases in this category", "cat-456"),
            PipeParam.limit(50, 10_000));

    private static final List<PipeColumn> COLUMNS = List.of(
            PipeColumn.string("event_id"),
            PipeColumn.dateTime("event_timestamp"),
            PipeColumn.nullableString("product_id"),
            PipeColumn.nullableString("category_id"),
            PipeColumn.nullableFloat64("price"),
            PipeColumn.nullableInt32("quantity"),
            PipeColumn.float64("total_amount"),
            PipeColumn.nullableString("session_id"),
            PipeColumn.nullableString("page_url"),
            PipeColumn.nullableString("device_type"),
            PipeColumn.nullableString("country"));

    public CustomerPurchaseHistory() {
        super("customer_purchase_history",
                "Purchase history of one customer (event_timestamp desc, event_id)",
                PARAMS,
                COLUMNS);
    }

    @Override
    public PipeQuery query(PipeParams params) {
        PipeSql sql = new PipeSql(COUNT_OF_PURCHASES);
        int filterStart = sql.mark();
        sql.bind(" AND customer_id = ?", params.string("customer_id"))
                .bindIfPresent(" AND event_timestamp >= ?", params.dateTime("start_date"))
                .bindIfPresent(" AND event_timestamp <= ?", params.dateTime("end_date"))
                .bindIfPresent(" AND category_id = ?", params.string("category_id"));
        int filterEnd = sql.mark();
        return sql.append(PAGE_OF_PURCHASES)
                .repeat(filterStart, filterEnd)
                .append(NEWEST_FIRST)
                .bind(" LIMIT ?", params.int32("limit"))
                .append(") page")
                .append(NEWEST_FIRST)
                .build();
    }
}
