package io.customeranalytics.common.schema;

/**
 * The revenue of an event (docs/api.md, "Events API"), as SQL over customer_events' columns. The migrations V4 and V5
 * hold the same expression in their aggregate definitions.
 */
public final class Revenue {

    /** price x coalesce(quantity, 1) for purchases, a null price counting 0; 0 for every other event type. */
    public static final String OF_EVENT = of("");

    /** The same over columns qualified with {@code alias} (fixed text, e.g. "e."). */
    public static String of(String alias) {
        return "CASE WHEN " + alias + "event_type = 'purchase' THEN coalesce(" + alias + "price, 0) * coalesce("
                + alias + "quantity, 1) ELSE 0 END";
    }

    private Revenue() {
    }
}
