package io.customeranalytics.common.rules;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The customer metrics a rule can use (docs/api.md, "Segment membership"), with their kind. The names are
 * also the column names of the relation rules are compiled against.
 */
public enum Metric {
    TOTAL_SPENT("total_spent", Kind.NUMBER),
    PURCHASE_COUNT("purchase_count", Kind.NUMBER),
    EVENT_COUNT("event_count", Kind.NUMBER),
    SESSION_COUNT("session_count", Kind.NUMBER),
    PAGE_VIEW_COUNT("page_view_count", Kind.NUMBER),
    AVG_ORDER_VALUE("avg_order_value", Kind.NUMBER),
    DAYS_SINCE_LAST_EVENT("days_since_last_event", Kind.NUMBER),
    DAYS_SINCE_LAST_PURCHASE("days_since_last_purchase", Kind.NUMBER),
    LIFETIME_VALUE("lifetime_value", Kind.NUMBER),
    AGE("age", Kind.NUMBER),
    COUNTRY("country", Kind.STRING),
    CITY("city", Kind.STRING),
    GENDER("gender", Kind.STRING),
    CUSTOMER_SEGMENT("customer_segment", Kind.STRING),
    DAYS_SINCE_SIGNUP("days_since_signup", Kind.NUMBER);

    private final String ruleName;
    private final Kind kind;

    Metric(String ruleName, Kind kind) {
        this.ruleName = ruleName;
        this.kind = kind;
    }

    /** The name as written in rules, and the column name. */
    public String ruleName() {
        return ruleName;
    }

    public Kind kind() {
        return kind;
    }

    /** Case-insensitive, like the keywords. */
    public static Optional<Metric> byName(String name) {
        return Arrays.stream(values()).filter(m -> m.ruleName.equalsIgnoreCase(name)).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(Metric::ruleName).toList();
    }
}
