package io.customeranalytics.query.pipes;

/** The revenue of an event (API.md section 2), as SQL over customer_events' columns. */
final class Revenue {

    /** price x coalesce(quantity, 1) for purchases, a null price counting 0; 0 for every other event type. */
    static final String OF_EVENT = "CASE WHEN event_type = 'purchase' THEN coalesce(price, 0) * coalesce(quantity, 1)"
            + " ELSE 0 END";

    private Revenue() {
    }
}
