package io.customeranalytics.common.schema;

/**
 * What every writer of {@code customer_events} adds to its statement (migration V13): the day, week and month of
 * each stored event recorded in {@code behavioral_pending}, in the same transaction as the rows, so that
 * customer_behavioral_analysis reads those periods from the raw events until query-service has refreshed them.
 */
public final class PendingPeriods {

    private PendingPeriods() {
    }

    /**
     * A data-modifying CTE, {@code pending_periods AS (...)}, over the {@code event_timestamp} column of the CTE
     * named {@code stored} (fixed text: the name of an earlier CTE of the same statement).
     */
    public static String recordFrom(String stored) {
        return """
                pending_periods AS (
                    INSERT INTO behavioral_pending (grain, period)
                    SELECT DISTINCT g.grain, date_trunc(g.grain, s.event_timestamp AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                    FROM %s s
                    CROSS JOIN (VALUES ('day'), ('week'), ('month')) AS g(grain)
                )""".formatted(stored);
    }
}
