package io.customeranalytics.common.schema;


/**
 * What every writer of {@code customer_events} adds to its statement, in the same transaction as the rows:
 * <ul>
 *   <li>the day, week and month of each stored event, in {@code behavioral_pending} (V13), so that
 *       customer_behavioral_analysis reads those periods from the raw events until query-service has refreshed
 *       them;</li>
 *   <li>each stored event, in {@code customer_changes} (V14), with its instant, revenue and whether it is a
 *       purchase (V16), so that segmentation-service recomputes that customer's metrics and segment membership,
 *       and its suggestions add the event to the customer's snapshot row until then.</li>
 * </ul>
 */
public final class EventChangeLog {

    private EventChangeLog() {
    }

    /**
     * Two data-modifying CTEs, {@code pending_periods AS (...), changed_customers AS (...)}, over the
     * {@code customer_id, event_type, event_timestamp, price, quantity} columns of the CTE named {@code stored}
     * (fixed text: the name of an earlier CTE of the same statement).
     */
    public static String recordFrom(String stored) {
        return pendingPeriodsFrom(stored) + """
                ,
                changed_customers AS (
                    INSERT INTO customer_changes (customer_id, event_timestamp, revenue, purchase)
                    SELECT s.customer_id, s.event_timestamp, %2$s, s.event_type = 'purchase' FROM %1$s s
                )""".formatted(stored, Revenue.of("s."));
    }

    /**
     * The data-modifying CTE {@code pending_periods AS (...)} alone, over the {@code event_timestamp} column of
     * the CTE named {@code events}: for a writer that stores or deletes events of customers it records otherwise.
     */
    public static String pendingPeriodsFrom(String events) {
        return """
                pending_periods AS (
                    INSERT INTO behavioral_pending (grain, period)
                    SELECT DISTINCT g.grain, date_trunc(g.grain, s.event_timestamp AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                    FROM %1$s s
                    CROSS JOIN (VALUES ('day'), ('week'), ('month')) AS g(grain)
                )""".formatted(events);
    }
}
